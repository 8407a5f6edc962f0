from agreements.linking import link_names


def test_names_are_linked_whatever_their_case_and_accents():
    html = link_names(
        "Maria PASCUAL DE ZULUETA et Philippe IVANES", [("Maria Pascual de Zulueta", "/m/"), ("Philippe Ivanès", "/i/")]
    )
    assert html == '<a href="/m/">Maria PASCUAL DE ZULUETA</a> et <a href="/i/">Philippe IVANES</a>'


def test_the_longest_name_wins_where_names_overlap():
    html = link_names("Polepharma-GIPSO et GIPSO", [("GIPSO", "/g/"), ("Polepharma-GIPSO", "/p/")])
    assert html == '<a href="/p/">Polepharma-GIPSO</a> et <a href="/g/">GIPSO</a>'


def test_only_whole_words_and_never_inside_addresses():
    html = link_names("Leemx, www.leem.org, sbou@leem.org/ et le Leem.", [("Leem", "/l/")])
    assert html == 'Leemx, www.leem.org, sbou@leem.org/ et le <a href="/l/">Leem</a>.'


def test_names_split_over_lines_are_found():
    assert link_names("Basque\nHealth Cluster", [("Basque Health Cluster", "/b/")]) == (
        '<a href="/b/">Basque\nHealth Cluster</a>'
    )


def test_the_text_is_escaped():
    html = link_names('<script>alert("x")</script> GIPSO & co', [("GIPSO", "/g/?a=1&b=2")])
    assert html == '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <a href="/g/?a=1&amp;b=2">GIPSO</a> &amp; co'


def test_without_targets_the_text_is_only_escaped():
    assert link_names("a < b", []) == "a &lt; b"
    assert link_names("", [("Leem", "/l/")]) == ""


def test_spaces_and_dashes_between_words_are_the_same_name():
    html = link_names("POLEPHARMA - GIPSO, Polepharma GIPSO et Polepharma–GIPSO", [("Polepharma-GIPSO", "/p/")])
    assert html == (
        '<a href="/p/">POLEPHARMA - GIPSO</a>, <a href="/p/">Polepharma GIPSO</a> et <a href="/p/">Polepharma–GIPSO</a>'
    )


def test_a_combining_accent_after_the_last_letter_stays_inside_the_link():
    html = link_names("Philippe Ivane\u0300s et Leme\u0301", [("Philippe Ivanès", "/i/"), ("Lemé", "/l/")])
    assert html == '<a href="/i/">Philippe Ivane\u0300s</a> et <a href="/l/">Leme\u0301</a>'


def test_names_of_a_single_letter_are_not_linked():
    assert link_names("a b c", [("a", "/a/"), ("-", "/d/")]) == "a b c"

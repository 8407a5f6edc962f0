import csv

from tools.load import report

COLUMNS = ["Type", "Name", "Request Count", "Failure Count", "50%", "95%", "99%", "Requests/s"]


def write_stats(path, failures: int = 0):
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for name in report.SCENARIO:
            writer.writerow(["GET", name, "10", str(failures), "12", "40", "95", "2.5"])
        writer.writerow(["", "Aggregated", "70", str(failures * len(report.SCENARIO)), "12", "40", "95", "17.5"])
    return path


def test_figures_replace_only_the_load_section_of_the_benchmarks(tmp_path, capsys):
    docs = tmp_path / "benchmarks.md"
    docs.write_text(
        "# Benchmarks\n\nIntro.\n\n<!-- load:start -->\nold figures\n<!-- load:end -->\n\n## Bench\n\nKept.\n"
    )

    assert report.main([str(write_stats(tmp_path / "stats.csv")), "--docs", str(docs)]) == 0

    text = docs.read_text()
    assert "old figures" not in text
    assert text.startswith("# Benchmarks\n\nIntro.\n\n<!-- load:start -->\n## Load: search and person pages")
    assert text.endswith("<!-- load:end -->\n\n## Bench\n\nKept.\n")
    assert "| person page " in text
    assert "| all requests " in capsys.readouterr().out


def test_a_new_benchmarks_file_gets_the_intro_and_the_section(tmp_path):
    docs = tmp_path / "benchmarks.md"

    assert report.main([str(write_stats(tmp_path / "stats.csv")), "--docs", str(docs)]) == 0

    text = docs.read_text()
    assert text.startswith("# Benchmarks\n\nFigures measured on this machine")
    assert text.count("<!-- load:start -->") == text.count("<!-- load:end -->") == 1


def test_a_failed_request_fails_the_run_and_leaves_the_docs_alone(tmp_path, capsys):
    docs = tmp_path / "benchmarks.md"

    assert report.main([str(write_stats(tmp_path / "stats.csv", failures=1)), "--docs", str(docs)]) == 1

    assert not docs.exists()
    assert "'person page': 1 failed" in capsys.readouterr().err

"""Synthetic demo data at scale: organisations, people, positions, contact points, memberships, agreements, and the
relationship with the people (interactions, follow-ups, consents: ``demo.relationships``).

``generate_demo(people=1_000_000)`` fills a database with French, Spanish and Basque people working at
organisations of every kind, deterministically from a seed (``random.Random(seed)``, a fixed creation date
derived from the seed, no dependence on the clock or on set ordering). Every slug starts with ``demo-``; a
database that already holds demo rows is refused (``DemoDataExists``).

The three big tables (people, positions, contact points) go through PostgreSQL's ``COPY`` (psycopg 3): people
are streamed with ``write_row`` while they are generated, positions and contact points are written in COPY's
text format to temporary files and sent after them (one connection carries one COPY at a time). When many
people are loaded, the secondary indexes and foreign keys of those tables are dropped first and rebuilt at the
end, in the same transaction: one index build and one join are much cheaper than a million index insertions
and foreign-key checks. On SQLite, the same rows go through ``bulk_create``. Small tables always use
``bulk_create``. No signal is sent and no history row is written; ``search_text`` is computed here with
``contacts.search.search_text_of``, the function the signals use.
"""

import datetime
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from random import Random

from django.core.management.color import no_style
from django.db import connection, models, transaction

from agreements.models import Agreement, AgreementParty, Signatory
from clusters.models import Membership, MembershipType, Organisation
from clusters.search import organisation_search_text
from contacts import export_lines
from contacts.models import ContactPoint, ExportLine, Person, Position
from contacts.search import search_text_of
from interactions.models import OrganisationLastContact, PersonLastContact

from . import relationships

DEMO_SLUG_PREFIX = "demo-"

# From this many people on, PostgreSQL loads without the secondary indexes and foreign keys of the big
# tables and rebuilds them afterwards.
REBUILD_INDEXES_FROM = 20_000
BULK_BATCH = 2_000
PROGRESS_EVERY = 100_000
COPY_BLOCK = 1 << 20

PERSON_FIELDS = (
    "id", "slug", "given_name", "family_name", "notes", "do_not_contact", "lawful_basis", "data_source",
    "source_detail", "created_at", "updated_at", "search_text", "version",
)  # fmt: skip
POSITION_FIELDS = ("id", "person_id", "organisation_id", "title", "started_on", "ended_on", "is_primary", "version")
CONTACT_POINT_FIELDS = ("id", "person_id", "medium", "kind", "email", "phone", "is_primary", "label", "version")


class DemoDataExists(Exception):
    """The database already holds demo rows: generating again would mix two data sets."""


@dataclass
class DemoCounts:
    organisations: int = 0
    membership_types: int = 0
    memberships: int = 0
    people: int = 0
    positions: int = 0
    contact_points: int = 0
    agreements: int = 0
    parties: int = 0
    signatories: int = 0
    staff_users: int = 0
    interactions: int = 0
    interaction_links: int = 0
    follow_ups: int = 0
    consents: int = 0

    def __str__(self):
        return ", ".join(f"{spaced(getattr(self, f.name))} {f.name.replace('_', ' ')}" for f in fields(self))


def spaced(number: int) -> str:
    """1000000 → "1 000 000"."""
    return f"{number:,}".replace(",", " ")


# --- Names -------------------------------------------------------------------------------------------------
# (female, male) given names and family names by origin. Nothing here may hold a tab, a newline or a
# backslash: rows are written in COPY's text format without escaping (checked below).

# fmt: off
GIVEN_NAMES = {
    "fr": (
        (
            "Élodie", "Hélène", "Marie-Hélène", "Céline", "Amélie", "Chloé", "Léa", "Inès", "Zoé", "Anaïs",
            "Noémie", "Mélanie", "Sophie", "Camille", "Claire", "Isabelle", "Nathalie", "Sandrine", "Valérie",
            "Aurélie", "Émilie", "Gaëlle", "Maëlle", "Françoise", "Béatrice", "Agnès", "Cécile", "Géraldine",
            "Margaux", "Juliette", "Laëtitia", "Bérénice", "Marion", "Pauline", "Ophélie", "Anne-Sophie",
        ),
        (
            "Philippe", "Fabien", "Jérôme", "Frédéric", "Stéphane", "Sébastien", "Grégoire", "Benoît", "François",
            "Hervé", "Rémi", "Thibault", "Loïc", "Gaël", "Noël", "Joël", "Mathéo", "Théo", "Timothée",
            "Jean-Baptiste", "Jean-François", "Pierre-Yves", "Antoine", "Nicolas", "Julien", "Olivier", "Laurent",
            "Éric", "Étienne", "Cédric", "Aurélien", "Raphaël", "Mickaël", "Clément", "Hugo", "Jean-Noël",
        ),
    ),
    "es": (
        (
            "María", "María José", "María del Carmen", "Lucía", "Inés", "Sofía", "Mónica", "Begoña", "Pilar",
            "Rocío", "Ángela", "Nuria", "Marta", "Elena", "Raquel", "Beatriz", "Concepción", "Verónica",
            "Ana Belén", "Maite", "Montserrat", "Dolores", "Almudena", "Paloma",
        ),
        (
            "José", "José Luis", "Juan Carlos", "Jesús", "Ángel", "Andrés", "Rubén", "Iván", "Víctor", "Adrián",
            "Álvaro", "Sergio", "Óscar", "Joaquín", "Ramón", "Tomás", "Fernando", "Javier", "Julián", "Agustín",
            "Francisco Javier", "Miguel Ángel", "Martín", "Héctor",
        ),
    ),
    "eu": (
        (
            "Ainhoa", "Amaia", "Arantxa", "Edurne", "Garazi", "Itziar", "Leire", "Maialen", "Miren", "Nerea",
            "Oihana", "Uxue", "Irati", "Izaro", "Ane", "Nahia", "Idoia", "Eider",
        ),
        (
            "Iñaki", "Iker", "Unai", "Aitor", "Asier", "Gorka", "Jon", "Mikel", "Xabier", "Eneko", "Ibai",
            "Koldo", "Imanol", "Julen", "Oier", "Ander", "Íñigo", "Joseba",
        ),
    ),
}

FAMILY_NAMES = {
    "fr": (
        "Lefèvre", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert",
        "Fontaine", "Rousseau", "Vincent", "Ivanès", "Riolet", "Chevalier", "Gauthier", "Mercier", "Blanc",
        "Guérin", "Boyer", "Garnier", "Legrand", "Gaillard", "Barbier", "Arnaud", "Bérard", "Lévêque", "Prévost",
        "Lacroix", "Gérard", "Besnard", "Lemaître", "Ménard", "Hébert", "Féraud", "Thébault", "Lécuyer",
        "Duchêne", "Le Goff", "Le Gall", "Pasquier-Després", "Bénard", "Morin", "Faure", "André", "Mathieu",
        "Clément", "Rivière", "Daviaud", "Labbé", "Godard", "Marchand", "Brunet", "Dumas", "Perrot", "Hamon",
        "Texier", "Bouchet", "Joly", "Aubert", "Carré", "Roche", "Lemoine", "Collet", "Renaud", "Poirier",
    ),
    "es": (
        "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
        "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso",
        "Gutiérrez", "Navarro", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Suárez",
        "Molina", "Castillo", "Ortega", "Rubio", "Núñez", "Peña", "Pascual", "Ibáñez", "Cañizares", "Ordóñez",
        "Muñiz", "Cortés", "Galán", "Calderón", "Beltrán", "Sáez", "Montañés",
    ),
    "eu": (
        "Etxeberria", "Agirre", "Arrieta", "Goikoetxea", "Zubizarreta", "Urrutia", "Otxoa", "Bengoetxea",
        "Etxebarria", "Mendizábal", "Olazábal", "Aranburu", "Iturriaga", "Larrañaga", "Ibarguren", "Zabaleta",
        "Elorza", "Garmendia", "Uribe", "Azkue", "Txurruka", "Ugarte", "Arana", "Lizarazu", "Oiartzabal",
        "Zulueta", "Arrizabalaga", "Errazkin", "Ibáñez de Opakua",
    ),
}
# Spanish family names that are one name however long: the particle belongs to it.
COMPOUND_FAMILY_NAMES = (
    "Pascual de Zulueta", "de la Fuente", "del Río", "de León", "Sáenz de Santamaría", "Fernández de Castro",
    "Ruiz de Alda", "López de Heredia", "Martínez de Irujo", "García de la Peña",
)  # fmt: skip

# Which names the people of an organisation carry, by where it is: (French, Spanish) shares, Basque for the rest.
ORIGIN_SHARES = {"fr": (0.85, 0.95), "es": (0.05, 0.85), "eus": (0.05, 0.5)}

PERSONAL_DOMAINS = {"fr": ("orange.fr", "free.fr", "laposte.net", "gmail.com"), "es": ("gmail.com", "telefonica.net")}
PERSONAL_DOMAINS["eus"] = ("gmail.com", "euskaltel.net")


def ascii_words(text: str, separator: str = "-") -> str:
    """The words of ``text`` in lower-case ASCII, "Ibáñez de Opakua" → "ibanez-de-opakua": for slugs, domains
    and the local part of email addresses."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return separator.join("".join(char if char.isalnum() else " " for char in plain).split())


# --- Places -------------------------------------------------------------------------------------------------
# (city, region, country, the first digits of the national number of its landlines, web domain ending)

CITIES = (
    ("Paris", "Île-de-France", "FR", "14", "fr"),
    ("Chartres", "Centre-Val de Loire", "FR", "237", "fr"),
    ("Tours", "Centre-Val de Loire", "FR", "247", "fr"),
    ("Louviers", "Normandie", "FR", "232", "fr"),
    ("Rouen", "Normandie", "FR", "235", "fr"),
    ("Bordeaux", "Nouvelle-Aquitaine", "FR", "556", "fr"),
    ("Limoges", "Nouvelle-Aquitaine", "FR", "555", "fr"),
    ("Poitiers", "Nouvelle-Aquitaine", "FR", "549", "fr"),
    ("La Rochelle", "Nouvelle-Aquitaine", "FR", "546", "fr"),
    ("Toulouse", "Occitanie", "FR", "561", "fr"),
    ("Montpellier", "Occitanie", "FR", "467", "fr"),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", "472", "fr"),
    ("Grenoble", "Auvergne-Rhône-Alpes", "FR", "476", "fr"),
    ("Clermont-Ferrand", "Auvergne-Rhône-Alpes", "FR", "473", "fr"),
    ("Marseille", "Provence-Alpes-Côte d'Azur", "FR", "491", "fr"),
    ("Lille", "Hauts-de-France", "FR", "320", "fr"),
    ("Strasbourg", "Grand Est", "FR", "388", "fr"),
    ("Nantes", "Pays de la Loire", "FR", "240", "fr"),
    ("Rennes", "Bretagne", "FR", "299", "fr"),
    ("Madrid", "Comunidad de Madrid", "ES", "91", "es"),
    ("Barcelona", "Cataluña", "ES", "93", "es"),
    ("Donostia-San Sebastián", "País Vasco", "ES", "943", "eus"),
    ("Bilbao", "País Vasco", "ES", "944", "eus"),
    ("Vitoria-Gasteiz", "País Vasco", "ES", "945", "eus"),
    ("Pamplona", "Navarra", "ES", "948", "es"),
    ("Valencia", "Comunitat Valenciana", "ES", "96", "es"),
    ("Sevilla", "Andalucía", "ES", "95", "es"),
    ("Zaragoza", "Aragón", "ES", "976", "es"),
    ("Valladolid", "Castilla y León", "ES", "983", "es"),
)
CALLING_CODES = {"FR": "33", "ES": "34"}
# Mobiles: the digits a French mobile number may start with that are all valid; every Spanish 6… is.
FRENCH_MOBILE_STARTS = ("60", "61", "62", "64", "65", "66", "67", "68")

# --- Organisations ------------------------------------------------------------------------------------------

Kind = Organisation.Kind
# Out of 100 organisations.
KIND_SHARES = (
    (Kind.CLUSTER, 3), (Kind.FEDERATION, 4), (Kind.COMPANY, 70), (Kind.PUBLIC_BODY, 8),
    (Kind.RESEARCH_EDUCATION, 10), (Kind.OTHER, 5),
)  # fmt: skip

SECTORS = {
    "fr": ("Santé", "Pharma", "Aéronautique", "Bois", "Numérique", "Agroalimentaire", "Énergie", "Mer",
           "Cosmétique", "Textile", "Chimie", "Mobilité"),
    "es": ("Salud", "Energía", "Automoción", "Alimentación", "Digital", "Marítimo", "Biociencias",
           "Aeronáutica", "Madera", "Química"),
}  # fmt: skip

# Name patterns by kind and language: {s} sector, {r} region, {c} city, {f} a family name.
ORGANISATION_NAMES = {
    (Kind.CLUSTER, "fr"): ("Pôle {s} {r}", "Cluster {s} {r}", "Réseau {s} {c}"),
    (Kind.CLUSTER, "es"): ("Clúster de {s} de {r}", "Clúster {s} {c}", "Asociación Clúster de {s}"),
    (Kind.FEDERATION, "fr"): (
        "Fédération des industries de la filière {s}", "Syndicat régional {s} {r}", "Union des entreprises {s}",
    ),
    (Kind.FEDERATION, "es"): ("Federación Española de {s}", "Asociación de Empresas de {s} de {r}"),
    (Kind.COMPANY, "fr"): (
        "Laboratoires {f}", "{f} Industrie", "{f} & Fils", "{f} Biotech", "Ateliers {f}", "{f} Pharma",
        "Groupe {f}", "{f} Technologies", "Menuiserie {f}", "Transports {f}", "{f} Conseil",
    ),
    (Kind.COMPANY, "es"): (
        "Laboratorios {f}", "Industrias {f}", "{f} y Asociados", "Talleres {f}", "{f} Biotech", "Grupo {f}",
        "{f} Ingeniería", "Construcciones {f}",
    ),
    (Kind.PUBLIC_BODY, "fr"): (
        "Agence de développement économique de {c}", "Chambre de commerce et d'industrie de {c}",
        "Communauté d'agglomération de {c}", "Direction régionale de l'économie {r}",
    ),
    (Kind.PUBLIC_BODY, "es"): ("Agencia de Desarrollo de {c}", "Cámara de Comercio de {c}", "Ayuntamiento de {c}"),
    (Kind.RESEARCH_EDUCATION, "fr"): (
        "Université de {c}", "Institut {f} de recherche {s}", "École d'ingénieurs {s} de {c}",
        "Laboratoire {f}", "Lycée professionnel {f}",
    ),
    (Kind.RESEARCH_EDUCATION, "es"): (
        "Universidad de {c}", "Centro Tecnológico {f}", "Instituto de Investigación en {s}", "Escuela {f}",
    ),
    (Kind.OTHER, "fr"): ("Association {s} {c}", "Fondation {f}", "Club des entrepreneurs de {c}"),
    (Kind.OTHER, "es"): ("Fundación {f}", "Asociación {s} {c}"),
}
LEGAL_FORMS = {
    (Kind.CLUSTER, "fr"): ("Association loi 1901",),
    (Kind.CLUSTER, "es"): ("Asociación sin ánimo de lucro",),
    (Kind.FEDERATION, "fr"): ("Syndicat professionnel", "Association loi 1901"),
    (Kind.FEDERATION, "es"): ("Asociación empresarial",),
    (Kind.COMPANY, "fr"): ("SAS", "SA", "SARL", "SASU"),
    (Kind.COMPANY, "es"): ("S.L.", "S.A.", "S. Coop."),
    (Kind.PUBLIC_BODY, "fr"): ("Établissement public",),
    (Kind.PUBLIC_BODY, "es"): ("Organismo público",),
    (Kind.RESEARCH_EDUCATION, "fr"): ("Établissement public", "Association loi 1901"),
    (Kind.RESEARCH_EDUCATION, "es"): ("Fundación", "Organismo público"),
    (Kind.OTHER, "fr"): ("Association loi 1901", "Fondation"),
    (Kind.OTHER, "es"): ("Fundación", "Asociación"),
}
ACRONYM_SKIPPED = {"de", "des", "du", "la", "le", "l", "d", "et", "y", "del", "en", "pour"}

# Titles as (masculine, feminine); the first of each list is the head's, who signs the agreements.
TITLES = {
    (Kind.CLUSTER, "fr"): (
        ("Président", "Présidente"), ("Délégué général", "Déléguée générale"),
        ("Chargé de mission", "Chargée de mission"),
        ("Responsable des affaires publiques",) * 2, ("Chargé de communication", "Chargée de communication"),
        ("Chef de projet innovation", "Cheffe de projet innovation"),
    ),
    (Kind.CLUSTER, "es"): (
        ("Presidente", "Presidenta"), ("Gerente",) * 2, ("Técnico de proyectos", "Técnica de proyectos"),
        ("Responsable de comunicación",) * 2,
    ),
    (Kind.FEDERATION, "fr"): (
        ("Président", "Présidente"), ("Secrétaire général", "Secrétaire générale"),
        ("Responsable des affaires publiques",) * 2, ("Chargé d'études économiques", "Chargée d'études économiques"),
        ("Juriste",) * 2,
    ),
    (Kind.FEDERATION, "es"): (
        ("Presidente", "Presidenta"), ("Secretario general", "Secretaria general"),
        ("Responsable de asuntos públicos",) * 2, ("Técnico jurídico", "Técnica jurídica"),
    ),
    (Kind.COMPANY, "fr"): (
        ("Directeur général", "Directrice générale"), ("Président-directeur général", "Présidente-directrice générale"),
        ("Directeur industriel", "Directrice industrielle"), ("Responsable des affaires publiques",) * 2,
        ("Chargé de communication", "Chargée de communication"),
        ("Directeur des ressources humaines", "Directrice des ressources humaines"), ("Responsable qualité",) * 2,
        ("Ingénieur R&D", "Ingénieure R&D"),
        ("Directeur administratif et financier", "Directrice administrative et financière"),
        ("Responsable export",) * 2, ("Chef de projet", "Cheffe de projet"),
        ("Pharmacien responsable", "Pharmacienne responsable"), ("Directeur de site", "Directrice de site"),
        ("Acheteur", "Acheteuse"), ("Assistant de direction", "Assistante de direction"),
        ("Technicien de maintenance", "Technicienne de maintenance"),
    ),
    (Kind.COMPANY, "es"): (
        ("Director general", "Directora general"), ("Consejero delegado", "Consejera delegada"),
        ("Responsable de asuntos públicos",) * 2, ("Jefe de comunicación", "Jefa de comunicación"),
        ("Director de operaciones", "Directora de operaciones"), ("Técnico de I+D", "Técnica de I+D"),
        ("Responsable de calidad",) * 2, ("Director financiero", "Directora financiera"),
        ("Ingeniero de procesos", "Ingeniera de procesos"), ("Responsable de exportación",) * 2,
    ),
    (Kind.PUBLIC_BODY, "fr"): (
        ("Directeur général des services", "Directrice générale des services"),
        ("Chargé de mission", "Chargée de mission"),
        ("Directeur du développement économique", "Directrice du développement économique"),
        ("Vice-président", "Vice-présidente"), ("Conseiller entreprises", "Conseillère entreprises"),
    ),
    (Kind.PUBLIC_BODY, "es"): (
        ("Director de promoción económica", "Directora de promoción económica"),
        ("Técnico de desarrollo económico", "Técnica de desarrollo económico"), ("Diputado foral", "Diputada foral"),
        ("Concejal de empleo", "Concejala de empleo"),
    ),
    (Kind.RESEARCH_EDUCATION, "fr"): (
        ("Président", "Présidente"), ("Professeur des universités", "Professeure des universités"),
        ("Directeur de recherche", "Directrice de recherche"), ("Chargé de valorisation", "Chargée de valorisation"),
        ("Maître de conférences",) * 2, ("Responsable des partenariats",) * 2,
    ),
    (Kind.RESEARCH_EDUCATION, "es"): (
        ("Rector", "Rectora"), ("Catedrático", "Catedrática"), ("Investigador principal", "Investigadora principal"),
        ("Responsable de transferencia tecnológica",) * 2,
    ),
    (Kind.OTHER, "fr"): (
        ("Président", "Présidente"), ("Secrétaire général", "Secrétaire générale"), ("Trésorier", "Trésorière"),
        ("Coordinateur", "Coordinatrice"),
    ),
    (Kind.OTHER, "es"): (
        ("Presidente", "Presidenta"), ("Secretario general", "Secretaria general"), ("Tesorero", "Tesorera"),
    ),
}
BOARD_TITLES = {
    "fr": (("Administrateur", "Administratrice"), ("Vice-président", "Vice-présidente"), ("Membre du bureau",) * 2),
    "es": (("Vocal de la junta directiva",) * 2, ("Vicepresidente", "Vicepresidenta")),
}
MEMBERSHIP_TYPES = {
    "fr": (("adherent", "Adhérent", 450), ("membre-fondateur", "Membre fondateur", 1200)),
    "es": (("socio", "Socio", 400), ("socio-fundador", "Socio fundador", 1000)),
}
AGREEMENT_TITLES = {
    "fr": ("Convention de partenariat entre {a} et {b}", "Accord de coopération {a} – {b}"),
    "es": ("Convenio de colaboración entre {a} y {b}", "Acuerdo marco {a} – {b}"),
}


# fmt: on


def _check_copy_safe() -> None:
    texts = [
        *(name for pools in GIVEN_NAMES.values() for pool in pools for name in pool),
        *(name for pool in FAMILY_NAMES.values() for name in pool),
        *COMPOUND_FAMILY_NAMES,
        *(part for city in CITIES for part in city),
        *(title for titles in (*TITLES.values(), *BOARD_TITLES.values()) for pair in titles for title in pair),
    ]
    unsafe = [text for text in texts if any(char in text for char in "\\\t\n\r")]
    if unsafe:
        raise ValueError(f"Demo names must not hold backslashes, tabs or newlines: {unsafe}")


_check_copy_safe()


@dataclass
class _Organisation:
    id: int
    kind: str
    language: str  # "fr" or "es": names and titles
    origin: str  # "fr", "es" or "eus": the people's names
    country: str
    city: str
    region: str
    landline_start: str
    name: str
    acronym: str
    domain: str
    head: tuple[int, str] | None = None  # (person id, title) of the first person working there


# --- Generation ---------------------------------------------------------------------------------------------


def base_time(seed: int) -> datetime.datetime:
    """When the demo rows are said to have been created: a fixed instant derived from the seed, never now()."""
    return datetime.datetime(2024, 1, 1, 8, tzinfo=datetime.UTC) + datetime.timedelta(days=seed % 365)


def demo_rows_exist() -> bool:
    return (
        Organisation.objects.filter(slug__startswith=DEMO_SLUG_PREFIX).exists()
        or Person.objects.filter(slug__startswith=DEMO_SLUG_PREFIX).exists()
        or Agreement.objects.filter(slug__startswith=DEMO_SLUG_PREFIX).exists()
    )


def generate_demo(
    *,
    people: int,
    organisations: int | None = None,
    seed: int = 1,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoCounts:
    """Fill the default database with ``people`` synthetic people (and ``organisations`` organisations, one per
    50 people by default), the same rows for the same arguments. Refuses a database holding demo rows."""
    if people < 0 or (organisations is not None and organisations < 6):
        raise ValueError("Ask for zero people or more, and at least six organisations (one of each kind).")
    if demo_rows_exist():
        raise DemoDataExists(
            "This database already holds demo data (slugs starting with 'demo-'): "
            "generate it into an empty database instead."
        )
    organisations = organisations if organisations is not None else max(20, people // 50)
    rng = Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    created = base_time(seed)
    counts = DemoCounts()
    started = time.monotonic()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        orgs = _create_organisations(rng, organisations, created, counts)
        progress(f"{spaced(len(orgs))} organisations, {spaced(counts.memberships)} memberships")
        rebuild = postgres and people >= REBUILD_INDEXES_FROM
        with _indexes_rebuilt_afterwards(enabled=rebuild, progress=progress):
            # The first ids are read before any COPY starts: the connection runs no query during one.
            first_ids = (_next_id(Person), _next_id(Position), _next_id(ContactPoint))
            seen = relationships.PeopleSeen.empty(first_ids[0])
            rows = seen.watch(_people_rows(rng, orgs, people, created, seed, first_ids))
            if postgres:
                _copy_people(rows, counts, progress, started)
            else:
                _bulk_create_people(rows, counts, progress, created)
        _create_agreements(rng, orgs, created, counts)
        # Interactions, follow-ups and consents: their big tables loaded as the people's are.
        with _indexes_rebuilt_afterwards(enabled=rebuild, progress=progress, models=relationships.FILLED_MODELS):
            relationships.create_relationships(
                rng, seen, {org.id: org.language for org in orgs}, created, counts, progress
            )
        _reset_sequences()
    if postgres:
        # The CSV export reads each person's line (contacts.export_lines): written now, as a first export would.
        lines_started = time.monotonic()

        def lines_written(written: int) -> None:
            if written % 100_000 < export_lines.BATCH:
                progress(f"{spaced(written)} export lines ({time.monotonic() - lines_started:.1f} s)")

        export_lines.complete(Person.objects.all(), progress=lines_written)
        progress("Analysing the tables")
        _analyse()
    return counts


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(highest=models.Max("pk"))["highest"] or 0) + 1


def _weighted(rng: Random, shares) -> str:
    total = sum(share for _, share in shares)
    pick = rng.random() * total
    for value, share in shares:
        pick -= share
        if pick < 0:
            return value
    return shares[-1][0]


def _acronym(name: str) -> str:
    words = [word for word in ascii_words(name, " ").split() if word not in ACRONYM_SKIPPED]
    return "".join(word[0] for word in words).upper()[:10]


def _create_organisations(rng: Random, count: int, created: datetime.datetime, counts: DemoCounts):
    first_id = _next_id(Organisation)
    kinds = [kind for kind, _ in KIND_SHARES]  # one of each first, then by share
    kinds += [_weighted(rng, KIND_SHARES) for _ in range(count - len(kinds))]
    used_bases: set[str] = set()
    orgs: list[_Organisation] = []
    rows: list[Organisation] = []
    for index, kind in enumerate(kinds):
        city, region, country, landline_start, tld = rng.choice(CITIES)
        language = "fr" if country == "FR" else "es"
        origin = "fr" if country == "FR" else "eus" if tld == "eus" else "es"
        family = rng.choice(FAMILY_NAMES["fr" if language == "fr" else rng.choice(("es", "eu"))])
        name = rng.choice(ORGANISATION_NAMES[(kind, language)]).format(
            s=rng.choice(SECTORS[language]), r=region, c=city, f=family
        )
        base = ascii_words(name)[:50].strip("-")
        unique_base, number = base, 1
        while unique_base in used_bases:
            number += 1
            unique_base = f"{base}-{number}"
        used_bases.add(unique_base)
        acronym = _acronym(name) if kind in (Kind.CLUSTER, Kind.FEDERATION, Kind.PUBLIC_BODY) else ""
        org = _Organisation(
            id=first_id + index,
            kind=kind,
            language=language,
            origin=origin,
            country=country,
            city=city,
            region=region,
            landline_start=landline_start,
            name=name,
            acronym=acronym,
            domain=f"{unique_base}.{tld}",
        )
        orgs.append(org)
        rows.append(
            Organisation(
                id=org.id,
                slug=DEMO_SLUG_PREFIX + unique_base,
                name=name,
                acronym=acronym,
                kind=kind,
                legal_form=rng.choice(LEGAL_FORMS[(kind, language)]),
                country=country,
                region=region,
                city=city,
                website=f"https://www.{org.domain}/",
                founded_on=datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(26_000)),
                description="",
                version=1,
            )
        )
        rows[-1].search_text = organisation_search_text(rows[-1], other_names=[])
    Organisation.objects.bulk_create(rows, batch_size=BULK_BATCH)
    _set_timestamps(Organisation, [org.id for org in orgs], created)
    counts.organisations = len(orgs)
    _create_memberships(rng, orgs, counts)
    return orgs


def _create_memberships(rng: Random, orgs: list[_Organisation], counts: DemoCounts) -> None:
    clusters = [org for org in orgs if org.kind in (Kind.CLUSTER, Kind.FEDERATION)]
    types: dict[int, list[MembershipType]] = {}
    type_id = _next_id(MembershipType)
    for cluster in clusters:
        types[cluster.id] = []
        for slug, name, fee in MEMBERSHIP_TYPES[cluster.language]:
            types[cluster.id].append(
                MembershipType(id=type_id, cluster_id=cluster.id, slug=slug, name=name, annual_fee=fee)
            )
            type_id += 1
    MembershipType.objects.bulk_create([t for cluster in clusters for t in types[cluster.id]], batch_size=BULK_BATCH)
    counts.membership_types = sum(len(cluster_types) for cluster_types in types.values())
    memberships = []
    membership_id = _next_id(Membership)
    for org in orgs:
        if org.kind == Kind.CLUSTER:
            continue
        wanted = 0 if rng.random() < 0.4 else 1 if rng.random() < 0.7 else 2
        chosen: list[_Organisation] = []
        for _ in range(wanted):
            cluster = rng.choice(clusters)
            if cluster.id != org.id and cluster not in chosen:
                chosen.append(cluster)
        for cluster in chosen:
            memberships.append(
                Membership(
                    id=membership_id,
                    cluster_id=cluster.id,
                    member_id=org.id,
                    membership_type=rng.choice(types[cluster.id]),
                    started_on=datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randrange(6_500)),
                    version=1,
                )
            )
            membership_id += 1
    Membership.objects.bulk_create(memberships, batch_size=BULK_BATCH)
    counts.memberships = len(memberships)


def _people_per_organisation(rng: Random, orgs: list[_Organisation], people: int) -> list[int]:
    """How many people work at each organisation: a long tail, a few large employers; exactly ``people``."""
    weights = [rng.paretovariate(1.3) * (3 if org.kind == Kind.COMPANY else 1) for org in orgs]
    total = sum(weights)
    shares = [people * weight / total for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(orgs)), key=lambda index: (counts[index] - shares[index], index))
    for index in by_remainder[: people - sum(counts)]:
        counts[index] += 1
    return counts


def _people_rows(
    rng: Random,
    orgs: list[_Organisation],
    people: int,
    created: datetime.datetime,
    seed: int,
    first_ids: tuple[int, int, int],
) -> Iterator[tuple[tuple, list[tuple], list[tuple]]]:
    """Each person's row, position rows and contact point rows, organisation by organisation (so that work
    email addresses are made unique within their domain with a set per organisation)."""
    person_id, position_id, point_id = first_ids
    today = created.date()
    source_detail = f"manage.py generate_demo --seed {seed}"
    ascii_cache: dict[str, str] = {}

    def ascii_of(text: str) -> str:
        value = ascii_cache.get(text)
        if value is None:
            value = ascii_cache[text] = ascii_words(text)
        return value

    random = rng.random
    randrange = rng.randrange
    choice = rng.choice
    boards = [org for org in orgs if org.kind in (Kind.CLUSTER, Kind.FEDERATION)]
    number = 0
    for org, count in zip(orgs, _people_per_organisation(rng, orgs, people), strict=True):
        used_locals: set[str] = set()
        french_share, spanish_share = ORIGIN_SHARES[org.origin]
        titles = TITLES[(org.kind, org.language)]
        calling_code = CALLING_CODES[org.country]
        national_prefix = "0" if org.country == "FR" else ""
        fill = 9 - len(org.landline_start)
        fill_limit = 10**fill
        for position_in_org in range(count):
            number += 1
            draw = random()
            origin = "fr" if draw < french_share else "es" if draw < spanish_share else "eu"
            feminine = random() < 0.5
            given = choice(GIVEN_NAMES[origin][0 if feminine else 1])
            if origin == "es":
                if random() < 0.08:
                    family = choice(COMPOUND_FAMILY_NAMES)
                    email_family = ascii_of(family)
                else:
                    first = choice(FAMILY_NAMES["es"])
                    second = choice(FAMILY_NAMES["es" if random() < 0.8 else "eu"])
                    family = f"{first} {second}" if first != second else first
                    email_family = ascii_of(first)
            else:
                family = choice(FAMILY_NAMES[origin])
                email_family = ascii_of(family)
            given_ascii = ascii_of(given)
            slug = f"{DEMO_SLUG_PREFIX}{given_ascii}-{ascii_of(family)}-{number}"

            # Positions: the primary one here (the first person is the head), sometimes a board seat at a
            # cluster or a former job elsewhere. Listed in Position's ordering: primary first.
            title = titles[0 if position_in_org == 0 else 1 + randrange(len(titles) - 1)][feminine]
            started_on = today - datetime.timedelta(days=30 + randrange(8_000))
            positions = [(position_id, person_id, org.id, title, started_on, None, True, 1)]
            position_id += 1
            position_titles = [title]
            position_orgs = [(org.name, org.acronym)]
            if position_in_org == 0:
                org.head = (person_id, title)
            if random() < 0.3:
                if boards and random() < 0.5:
                    other = choice(boards)
                    other_title = choice(BOARD_TITLES[other.language])[feminine]
                    other_start, other_end = today - datetime.timedelta(days=randrange(3_000)), None
                else:
                    other = choice(orgs)
                    other_title = choice(TITLES[(other.kind, other.language)])[feminine]
                    other_end = started_on - datetime.timedelta(days=1 + randrange(400))
                    other_start = other_end - datetime.timedelta(days=200 + randrange(3_000))
                if other.id != org.id:
                    positions.append((position_id, person_id, other.id, other_title, other_start, other_end, False, 1))
                    position_id += 1
                    position_titles.append(other_title)
                    position_orgs.append((other.name, other.acronym))

            # Contact points in ContactPoint's ordering: emails (preferred first), then phones (preferred first).
            local = f"{given_ascii}.{email_family}"
            if local in used_locals:
                suffix = 2
                while f"{local}{suffix}" in used_locals:
                    suffix += 1
                local = f"{local}{suffix}"
            used_locals.add(local)
            email = f"{local}@{org.domain}"
            points = [(point_id, person_id, "email", "work", email, "", True, "", 1)]
            point_id += 1
            contact_values = [email]
            if random() < 0.2:
                personal_domains = PERSONAL_DOMAINS[org.origin]
                personal = f"{given_ascii}.{email_family}{randrange(10, 100)}@{choice(personal_domains)}"
                points.append((point_id, person_id, "email", "personal", personal, "", False, "", 1))
                point_id += 1
                contact_values.append(personal)
            preferred = True
            if random() < 0.8:
                national = f"{org.landline_start}{randrange(fill_limit):0{fill}d}"
                points.append((point_id, person_id, "phone", "work", "", f"+{calling_code}{national}", True, "", 1))
                point_id += 1
                contact_values += (national_prefix + national, calling_code + national)
                preferred = False
            if random() < 0.6:
                if org.country == "FR":
                    national = f"{choice(FRENCH_MOBILE_STARTS)}{randrange(10_000_000):07d}"
                else:
                    national = f"6{randrange(100_000_000):08d}"
                points.append(
                    (point_id, person_id, "phone", "mobile", "", f"+{calling_code}{national}", preferred, "", 1)
                )
                point_id += 1
                contact_values += (national_prefix + national, calling_code + national)

            search_text = search_text_of(
                given_name=given,
                family_name=family,
                titles=position_titles,
                organisations=position_orgs,
                contact_values=contact_values,
            )
            person = (
                person_id, slug, given, family, "", random() < 0.02,
                "consent" if random() < 0.1 else "legitimate_interest",
                "import" if random() < 0.7 else "manual",
                source_detail, created, created, search_text, 1,
            )  # fmt: skip
            person_id += 1
            yield person, positions, points


# --- Writing ------------------------------------------------------------------------------------------------


def _bulk_create_people(rows, counts: DemoCounts, progress, created: datetime.datetime) -> None:
    people, positions, points = [], [], []
    total = 0

    def flush():
        Person.objects.bulk_create(people, batch_size=BULK_BATCH)
        _set_timestamps(Person, [person.id for person in people], created)
        Position.objects.bulk_create(positions, batch_size=BULK_BATCH)
        ContactPoint.objects.bulk_create(points, batch_size=BULK_BATCH)
        counts.people += len(people)
        counts.positions += len(positions)
        counts.contact_points += len(points)
        people.clear()
        positions.clear()
        points.clear()

    for person, position_rows, point_rows in rows:
        people.append(Person(**dict(zip(PERSON_FIELDS, person, strict=True))))
        positions += [Position(**dict(zip(POSITION_FIELDS, row, strict=True))) for row in position_rows]
        points += [ContactPoint(**dict(zip(CONTACT_POINT_FIELDS, row, strict=True))) for row in point_rows]
        total += 1
        if len(people) >= BULK_BATCH:
            flush()
    flush()
    progress(f"{spaced(total)} people")


def _copy_sql(model: type[models.Model], names: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"


def _copy_text(row: tuple) -> str:
    """A row in COPY's text format. The values are numbers, booleans, dates, None and strings known to hold no
    tab, newline or backslash (see _check_copy_safe), so nothing needs escaping."""
    return "\t".join(["\\N" if value is None else str(value) for value in row]) + "\n"


def _copy_people(rows, counts: DemoCounts, progress, started: float) -> None:
    total = 0
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8") as position_file,
        tempfile.TemporaryFile("w+", encoding="utf-8") as point_file,
        connection.cursor() as cursor,
    ):
        with cursor.copy(_copy_sql(Person, PERSON_FIELDS)) as copy:
            write_row = copy.write_row
            for person, position_rows, point_rows in rows:
                write_row(person)
                position_file.writelines([_copy_text(row) for row in position_rows])
                point_file.writelines([_copy_text(row) for row in point_rows])
                counts.positions += len(position_rows)
                counts.contact_points += len(point_rows)
                total += 1
                if total % PROGRESS_EVERY == 0:
                    progress(f"{spaced(total)} people ({time.monotonic() - started:.1f} s)")
        counts.people = total
        progress(f"{spaced(total)} people copied ({time.monotonic() - started:.1f} s)")
        for model, names, stream, label in (
            (Position, POSITION_FIELDS, position_file, "positions"),
            (ContactPoint, CONTACT_POINT_FIELDS, point_file, "contact points"),
        ):
            stream.seek(0)
            with cursor.copy(_copy_sql(model, names)) as copy:
                while block := stream.read(COPY_BLOCK):
                    copy.write(block)
            copied = getattr(counts, label.replace(" ", "_"))
            progress(f"{spaced(copied)} {label} copied ({time.monotonic() - started:.1f} s)")


class _indexes_rebuilt_afterwards:
    """On PostgreSQL, drop the secondary indexes and the foreign keys of the people, positions and contact
    points tables, and create them again on leaving: the same definitions (``pg_get_indexdef``,
    ``pg_get_constraintdef``), in the caller's transaction, so that a failure puts everything back."""

    def __init__(self, *, enabled: bool, progress: Callable[[str], None], models=(Person, Position, ContactPoint)):
        self.enabled = enabled
        self.progress = progress
        self.models = models
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []

    def __enter__(self):
        if not self.enabled:
            return self
        tables = [model._meta.db_table for model in self.models]
        with connection.cursor() as cursor:
            # The foreign-key checks still pending from the rows written so far are run now: a table they point at
            # cannot be altered while they wait (the interactions' point at agreements and memberships).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                   WHERE i.indrelid = ANY(%s::regclass[])
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                   ORDER BY 1""",
                [tables],
            )
            self.indexes = cursor.fetchall()
            cursor.execute(
                """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                   WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2""",
                [tables],
            )
            self.foreign_keys = cursor.fetchall()
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")
        self.progress(f"Dropped {len(self.indexes)} indexes and {len(self.foreign_keys)} foreign keys for the load")
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.enabled or exc_type is not None:
            return False  # the transaction rolls back, indexes included
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for name, definition in self.indexes:
                started = time.monotonic()
                cursor.execute(definition)
                self.progress(f"Index {name} rebuilt ({time.monotonic() - started:.1f} s)")
            for table, name, definition in self.foreign_keys:
                started = time.monotonic()
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                self.progress(f"Foreign key {name} checked ({time.monotonic() - started:.1f} s)")
        return False


def _create_agreements(rng: Random, orgs: list[_Organisation], created: datetime.datetime, counts: DemoCounts) -> None:
    agreement_id = _next_id(Agreement)
    party_id = _next_id(AgreementParty)
    signatory_id = _next_id(Signatory)
    today = created.date()
    agreements, parties, signatories = [], [], []
    for index in range(max(1, len(orgs) // 10)):
        chosen: list[_Organisation] = []
        for _ in range(2 + (rng.random() < 0.3)):
            org = rng.choice(orgs)
            if org not in chosen:
                chosen.append(org)
        if len(chosen) < 2:
            continue
        language = chosen[0].language
        draw = rng.random()
        status = "draft" if draw < 0.1 else "ended" if draw < 0.2 else "signed"
        signed_on = None if status == "draft" else today - datetime.timedelta(days=rng.randrange(5_000))
        ends_on = signed_on + datetime.timedelta(days=365 * (1 + rng.randrange(5))) if status == "ended" else None
        agreements.append(
            Agreement(
                id=agreement_id,
                slug=f"{DEMO_SLUG_PREFIX}{AGREEMENT_SLUGS[language]}-{index + 1}",
                title=rng.choice(AGREEMENT_TITLES[language]).format(
                    a=chosen[0].acronym or chosen[0].name, b=chosen[1].acronym or chosen[1].name
                ),
                kind=rng.choice(("convention", "partnership", "memorandum")),
                status=status,
                signed_on=signed_on,
                ends_on=ends_on,
                place=chosen[0].city if signed_on else "",
                host_id=chosen[0].id if signed_on else None,
                summary="",
                version=1,
            )
        )
        for org in chosen:
            parties.append(AgreementParty(id=party_id, agreement_id=agreement_id, organisation_id=org.id, version=1))
            party_id += 1
            if signed_on and org.head:
                person_id, title = org.head
                signatories.append(
                    Signatory(
                        id=signatory_id,
                        agreement_id=agreement_id,
                        person_id=person_id,
                        organisation_id=org.id,
                        title_at_signing=title,
                        version=1,
                    )
                )
                signatory_id += 1
        agreement_id += 1
    Agreement.objects.bulk_create(agreements, batch_size=BULK_BATCH)
    _set_timestamps(Agreement, [agreement.id for agreement in agreements], created)
    AgreementParty.objects.bulk_create(parties, batch_size=BULK_BATCH)
    Signatory.objects.bulk_create(signatories, batch_size=BULK_BATCH)
    counts.agreements, counts.parties, counts.signatories = len(agreements), len(parties), len(signatories)


AGREEMENT_SLUGS = {"fr": "convention", "es": "convenio"}


def _set_timestamps(model: type[models.Model], ids: list[int], when: datetime.datetime | None) -> None:
    """bulk_create() stamps auto_now fields with the clock: put the fixed creation time back."""
    if ids:
        model.objects.filter(pk__gte=min(ids), pk__lte=max(ids)).update(created_at=when, updated_at=when)


FILLED_MODELS = (
    Organisation, MembershipType, Membership, Person, Position, ContactPoint, Agreement, AgreementParty, Signatory,
    *relationships.FILLED_MODELS,
)  # fmt: skip


def _reset_sequences() -> None:
    """Rows were given their ids here: move the id sequences past them, so that the app's inserts work."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), FILLED_MODELS):
            cursor.execute(statement)


def _analyse() -> None:
    with connection.cursor() as cursor:
        for model in (*FILLED_MODELS, PersonLastContact, OrganisationLastContact, ExportLine):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

"""Real-world entries in every output (issue 11), several members per kind.

Expected strings are written from the style guides (APA 7: Publication Manual 7th ed., 9.8,
9.16, 9.24-9.29, 10.1-10.16; Citing Medicine 2nd ed. chapters 1, 6, 15, 22, 25), not read from
the code. Inputs follow public bug reports: biblatex ``date`` without ``year`` (JabRef and
Zotero/Better BibTeX exports), ``and others`` in long author lists (citeproc-js and pandoc
threads), article numbers in ``pages``/``eid`` (PLOS, eLife), SICI DOIs with ``<``, ``>``, ``;``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import rispy
from conftest import FIXTURES
from zotero_embedded import embedded_metadata_people

from app import citations
from app.bibtex import parse_bib_text
from app.cli import main
from app.models import Study
from app.study_records import study_record


def studies(text: str) -> list[Study]:
    found = parse_bib_text(text, "t.bib")
    problems = list(found.problems)
    records = [study_record(e, i, problems) for i, e in enumerate(found.entries)]
    assert [p for p in problems if p.severity == "error"] == []
    return [
        Study(
            **{n: getattr(r, n) for n in Study.model_fields if n != "authors" and hasattr(r, n)},
            authors=[p.as_dict() for p in r.authors],
        )
        for r in records
    ]


def one(text: str, fmt: str) -> str:
    return citations.export(studies(text), fmt)


def apa(text: str) -> str:
    return citations.formatted_references(studies(text), "apa")[0]


def vancouver(text: str) -> str:
    return citations.formatted_references(studies(text), "vancouver")[0]


def csl(text: str) -> dict:
    return json.loads(one(text, "csl-json"))[0]


def ris(text: str) -> dict:
    return rispy.loads(one(text, "ris"))[0]


# --- biblatex fields --------------------------------------------------------------------------------

DATED = (
    "@article{d, author = {Terblanche, Elmarie}, title = {T}, journaltitle = {J},\n"
    "  date = {2016-12-21}, volume = 5, pages = {1--9}}\n"
)


def test_a_biblatex_date_is_the_year_month_and_day_everywhere() -> None:
    assert studies(DATED)[0].year == 2016
    assert apa(DATED).startswith("Terblanche, E. (2016). T. J, 5, 1–9.")
    assert "2016 Dec 21;5:1-9" in vancouver(DATED)
    assert csl(DATED)["issued"] == {"date-parts": [[2016, 12, 21]]}
    record = ris(DATED)
    assert (record["year"], record["date"]) == ("2016", "2016/12/21/")


@pytest.mark.parametrize(
    ("date", "parts", "circa"),
    [
        ("2016", [[2016]], False),
        ("2016-12", [[2016, 12]], False),
        ("2016-12-21/2017-01-05", [[2016, 12, 21], [2017, 1, 5]], False),
        ("2016~", [[2016]], True),
        ("2016-12-21T10:00:00Z", [[2016, 12, 21]], False),
        ("2016/", [[2016]], False),
    ],
)
def test_biblatex_date_forms(date: str, parts: list[list[int]], circa: bool) -> None:
    item = csl(DATED.replace("2016-12-21", date))
    assert item["issued"]["date-parts"] == parts
    assert item["issued"].get("circa", False) is circa


def test_access_event_and_original_dates() -> None:
    text = (
        "@online{w, author = {{NHS}}, title = {Knee pain}, organization = {NHS website}, date = {2023},\n"
        "  url = {https://www.nhs.uk/conditions/knee-pain/}, urldate = {2026-11-20}, origdate = {1999},\n"
        "  eventdate = {2023-05-01}}\n"
    )
    item = csl(text)
    assert item["accessed"] == {"date-parts": [[2026, 11, 20]]}
    assert item["original-date"] == {"date-parts": [[1999]]}
    assert item["event-date"] == {"date-parts": [[2023, 5, 1]]}
    assert ris(text)["access_date"] == "2026/11/20/"
    assert "Retrieved November 20, 2026, from https://www.nhs.uk/conditions/knee-pain/" in apa(text)
    assert "[cited 2026 Nov 20]" in vancouver(text)


@pytest.mark.parametrize(
    ("fields", "column", "value"),
    [
        ("eprint = {22503882}, eprinttype = {pubmed}", "pmid", "22503882"),
        ("eprint = {PMC3391667}, eprinttype = {pmc}", "pmcid", "PMC3391667"),
        (
            "eprint = {10.1016/j.jbiomech.2012.03.020}, eprinttype = {doi}",
            "doi",
            "10.1016/j.jbiomech.2012.03.020",
        ),
        ("eprint = {1706.03762}, eprinttype = {arxiv}", "url", "https://arxiv.org/abs/1706.03762"),
        ("eprint = {1706.03762}, archiveprefix = {arXiv}", "url", "https://arxiv.org/abs/1706.03762"),
        ("eprint = {2027/mdp.39015}, eprinttype = {hdl}", "url", "https://hdl.handle.net/2027/mdp.39015"),
    ],
)
def test_eprints_are_identifiers_or_links(fields: str, column: str, value: str) -> None:
    (study,) = studies(f"@article{{e, title = {{T}}, journal = {{J}}, year = 2012, {fields}}}\n")
    assert getattr(study, column) == value


def test_locations_institutions_identifiers_and_pubstate() -> None:
    text = (
        "@report{r, author = {{World Health Organization}}, title = {Global action plan},\n"
        "  institution = {World Health Organization}, location = {Geneva}, date = {2018},\n"
        "  isbn = {978-92-4-151418-7}, number = {WHO/NMH/PND/18.5}}\n"
        "@article{p, author = {Roe, Rick}, title = {Accepted}, journaltitle = {Gait Posture},\n"
        "  pubstate = {inpress}, issn = {0966-6362}}\n"
    )
    report, accepted = json.loads(one(text, "csl-json"))
    assert (report["publisher"], report["publisher-place"], report["ISBN"]) == (
        "World Health Organization", "Geneva", "978-92-4-151418-7")  # fmt: skip
    assert (accepted["status"], accepted["ISSN"], accepted["container-title"]) == (
        "in press", "0966-6362", "Gait Posture")  # fmt: skip
    refs = citations.formatted_references(studies(text), "apa")
    assert "Roe, R. (in press). Accepted. Gait Posture." in refs
    assert any(r.startswith("World Health Organization. (2018). Global action plan (Report No. WHO/NMH/PND/18.5).")
               for r in refs)  # fmt: skip


def test_check_warns_about_unread_fields_and_reports_bad_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "studies.bib"
    path.write_text(
        "@article{a, title = {A}, journal = {J}, year = 2016,\n  date = {2015-03-01},\n"
        "  mendeley-groups = {x},\n  adress = {Bern},\n}\n"
        "@article{b, title = {B}, journal = {J},\n  date = {21 Dec 2016},\n  mendeley-groups = {y},\n}\n",
        encoding="utf-8",
    )
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:1: warning: a: year 2016 and date 2015-03-01 disagree (biblatex uses the date)" in out
    assert (f"{path}:3: warning: a and 1 other entry (line 8): field 'mendeley-groups' is not read by "
            "evidence-kb; it is kept only in BibTeX exports") in out  # fmt: skip
    assert f"{path}:4: warning: a: field 'adress' is not read by evidence-kb (did you mean 'address'?)" in out
    assert f"{path}:7: error: b: date '21 Dec 2016' is not a biblatex date" in out


# --- names ------------------------------------------------------------------------------------------

NAMES = (
    "@article{n, author = {van Deursen, Robert W. M. and King, Jr., Martin Luther and\n"
    "  Rivera, III, John A. and {{World Health Organization}} and Garc{\\'i}a M{\\'a}rquez, Gabriel and\n"
    "  de la Cruz, Maria and Sartre, Jean-Paul}, title = {T}, journal = {J}, year = 2020}\n"
)


def test_names_in_csl_ris_and_bibtex() -> None:
    assert csl(NAMES)["author"] == [
        {"family": "Deursen", "given": "Robert W. M.", "non-dropping-particle": "van"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        {"family": "Rivera", "given": "John A.", "suffix": "III"},
        {"literal": "World Health Organization"},
        {"family": "García Márquez", "given": "Gabriel"},
        {"family": "Cruz", "given": "Maria", "non-dropping-particle": "de la"},
        {"family": "Sartre", "given": "Jean-Paul"},
    ]
    assert ris(NAMES)["authors"] == [
        "van Deursen, Robert W. M.", "King, Martin Luther, Jr.", "Rivera, John A., III",
        "World Health Organization", "García Márquez, Gabriel", "de la Cruz, Maria", "Sartre, Jean-Paul",
    ]  # fmt: skip
    assert "King, Jr., Martin Luther" in one(NAMES, "bibtex")  # the curated LaTeX, unchanged


def test_names_in_apa_and_vancouver() -> None:
    assert apa(NAMES).startswith(
        "van Deursen, R. W. M., King, M. L., Jr., Rivera, J. A., III, World Health Organization, "
        "García Márquez, G., de la Cruz, M., & Sartre, J.-P. (2020)."
    )
    # Citing Medicine: the first six and "et al."; Jr without a period, III as 3rd; particles kept.
    assert vancouver(NAMES).startswith(
        "van Deursen RWM, King ML Jr, Rivera JA 3rd, World Health Organization, García Márquez G, "
        "de la Cruz M, et al. T."
    )


@pytest.mark.parametrize(
    ("name", "family", "given"),
    [
        ("van Deursen, Robert W. M.", "van Deursen", "Robert W. M"),
        ("Ahumada Sempoal, Miguel Angel", "Ahumada Sempoal", "Miguel Angel"),  # zotero/translators#1333
        ("de la Cruz, Maria Luisa", "de la Cruz", "Maria Luisa"),
        ("García Márquez, Gabriel José", "García Márquez", "Gabriel José"),
        ("King, Jr., Martin Luther", "King Jr", "Martin Luther"),
        ("Smith-Jones, Anne B.", "Smith-Jones", "Anne B"),
        ("Terblanche, Elmarie", "Terblanche", "Elmarie"),
        ("{World Health Organization}", "World Health Organization", ""),
    ],
)
def test_zotero_reads_each_citation_author_as_one_person(name: str, family: str, given: str) -> None:
    from app.bibtex import split_names

    (person,) = split_names(name)
    people = embedded_metadata_people(person.highwire_name())
    assert len(people) == 1
    last, first = people[0]
    assert (last.replace("\u00a0", " ").rstrip("."), first) == (family, given)


# --- explicit "and others" and long author lists ------------------------------------------------------


def author_list(n: int, others: bool) -> str:
    names = " and ".join(f"Au{chr(65 + i % 26)}{i}, G{chr(65 + i % 26)}." for i in range(n))
    return (
        f"@article{{k, author = {{{names}{' and others' if others else ''}}}, title = {{T}},"
        " journal = {J}, year = 2020}\n"
    )


def apa_name(i: int) -> str:
    return f"Au{chr(65 + i % 26)}{i}, G."


# jgm/citeproc#102: "and others" with APA's et-al-use-last printed "Doe J.others"; here the style's
# truncation must not eat it, nor leave ". . . ," with nothing after it (issue 11's example).
@pytest.mark.parametrize("n", [1, 2, 3, 6, 7, 19, 20, 21, 22])
@pytest.mark.parametrize("others", [False, True])
def test_author_lists_in_apa(n: int, others: bool) -> None:
    names = [apa_name(i) for i in range(n)]
    if others:  # every named author, then "et al.": the unknown last author cannot be shown
        expected = ", ".join(names) + ", et al."
    elif n == 1:
        expected = names[0]
    elif n <= 20:  # APA 7 9.8: up to 20, "&" before the last
        expected = ", ".join(names[:-1]) + ", & " + names[-1]
    else:  # 21 or more: the first 19, an ellipsis, the last
        expected = ", ".join(names[:19]) + ", . . . " + names[-1]
    reference = apa(author_list(n, others))
    assert reference == f"{expected} (2020). T. J."
    assert ". . . ," not in reference and not reference.startswith(". . .")


@pytest.mark.parametrize("n", [1, 2, 3, 6, 7, 19, 20, 21, 22])
@pytest.mark.parametrize("others", [False, True])
def test_author_lists_in_vancouver(n: int, others: bool) -> None:
    names = [f"Au{chr(65 + i % 26)}{i} G" for i in range(n)]
    # Citing Medicine: up to six listed; more than six (or an explicit "and others"): six, et al.
    expected = ", ".join(names[:6]) + (", et al" if others or n > 6 else "")
    assert vancouver(author_list(n, others)) == f"{expected}. T. J. 2020."


# --- article numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "number"),
    [
        # CSL schema#470 and plk/biblatex-apa#107/#108 (PLOS ONE, APA 10.1 example 6: eid)
        ("pages = {e0120513}", "e0120513"),  # PLOS ONE
        ("eid = {e0120513}", "e0120513"),  # biblatex
        ("number = {e0120513}", "e0120513"),  # biblatex users' article number in `number`
        ("pages = {102343}", "102343"),  # Elsevier six-digit article numbers
        ("pages = {e147}", "e147"),  # PeerJ Computer Science (citation-file-format#90)
    ],
)
def test_article_numbers_in_every_format(fields: str, number: str) -> None:
    text = f"@article{{a, author = {{Roe, Rick}}, title = {{T}}, journal = {{PLoS One}}, year = 2015, volume = 10, {fields}}}\n"
    assert apa(text) == f"Roe, R. (2015). T. PLoS One, 10, Article {number}."
    assert vancouver(text) == f"Roe R. T. PLoS One. 2015;10:{number}."
    item = csl(text)
    assert (item["number"], item["page"]) == (number, number)
    record = ris(text)
    assert (record["start_page"], record["custom7"]) == (number, number)


@pytest.mark.parametrize("pages", ["159", "S12", "1656--1660"])
def test_pages_are_not_article_numbers(pages: str) -> None:
    text = f"@article{{a, author = {{Roe, Rick}}, title = {{T}}, journal = {{J}}, year = 2015, volume = 10, pages = {{{pages}}}}}\n"
    assert apa(text) == f"Roe, R. (2015). T. J, 10, {pages.replace('--', '–')}."
    assert "number" not in csl(text)


# --- web pages, reports, theses ---------------------------------------------------------------------------

WEB = (
    "@online{who, author = {{World Health Organization}}, title = {Physical activity},\n"
    "  organization = {World Health Organization}, date = {2024-06-26},\n"
    "  url = {https://www.who.int/news-room/fact-sheets/detail/physical-activity}, urldate = {2026-11-20}}\n"
)


@pytest.mark.parametrize(
    ("text", "apa_text", "vancouver_text"),
    [
        (WEB,
         "World Health Organization. (2024, June 26). Physical activity. Retrieved November 20, 2026, "
         "from https://www.who.int/news-room/fact-sheets/detail/physical-activity",
         "World Health Organization. Physical activity [Internet]. World Health Organization; 2024 "
         "[cited 2026 Nov 20]. Available from: https://www.who.int/news-room/fact-sheets/detail/physical-activity"),
        ("@misc{s, author = {Smith, Anna}, title = {Walking backwards}, year = 2021, url = {https://example.org/walk}}\n",
         "Smith, A. (2021). Walking backwards. https://example.org/walk",
         "Smith A. Walking backwards [Internet]. 2021. Available from: https://example.org/walk"),
        # undated: the URL alone without a retrieval date, "Retrieved ..., from" once with one
        ("@misc{u, title = {Walking backwards}, url = {https://example.org/walk}}\n",
         "Walking backwards. (n.d.). https://example.org/walk",
         "Walking backwards [Internet]. Available from: https://example.org/walk"),
        ("@online{d, author = {Smith, Anna}, title = {Walking backwards}, url = {https://example.org/walk},\n"
         "  urldate = {2026-11-20}}\n",
         "Smith, A. (n.d.). Walking backwards. Retrieved November 20, 2026, from https://example.org/walk",
         "Smith A. Walking backwards [Internet]. [cited 2026 Nov 20]. Available from: https://example.org/walk"),
        ("@techreport{r, author = {Jones, Bob}, title = {A report}, institution = {Some Agency},\n"
         "  type = {Technical Report}, number = {12}, year = 2020}\n",
         "Jones, B. (2020). A report (Technical Report No. 12). Some Agency.",
         "Jones B. A report [Technical Report]. Some Agency; 2020. Technical Report no.: 12."),
        ("@phdthesis{t, author = {Roe, Rick}, title = {Gait}, school = {Big University}, year = 2019}\n",
         "Roe, R. (2019). Gait [Doctoral dissertation, Big University].",
         "Roe R. Gait [dissertation]. Big University; 2019."),
        ("@mastersthesis{m, author = {Doe, Jane}, title = {Retro walking}, school = {University of Somewhere},\n"
         "  year = 2015, url = {https://repo.example.edu/123}}\n",
         "Doe, J. (2015). Retro walking [Master's thesis, University of Somewhere]. https://repo.example.edu/123",
         "Doe J. Retro walking [master's thesis on the Internet]. University of Somewhere; 2015. "
         "Available from: https://repo.example.edu/123"),
    ],
)  # fmt: skip
def test_web_pages_reports_and_theses(text: str, apa_text: str, vancouver_text: str) -> None:
    assert apa(text) == apa_text
    assert vancouver(text) == vancouver_text
    assert "Retrieved" not in apa(text) or "urldate" in text  # never "Retrieved" without a date


# --- RIS and "others"; DOI links ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3, 21])
def test_ris_never_writes_others_as_a_person(n: int) -> None:
    record = ris(author_list(n, True))
    assert len(record["authors"]) == n and "others" not in record["authors"]
    # nor a note of it: Zotero imports N1 as a note in the user's library
    assert not record.get("notes") and "N1  - " not in one(author_list(n, True), "ris")


@pytest.mark.parametrize(
    ("doi", "link"),
    [
        ("10.1002/(SICI)1097-4636(199812)43:4<408::AID-JBM7>3.0.CO;2-8",
         "https://doi.org/10.1002/(SICI)1097-4636(199812)43:4%3C408::AID-JBM7%3E3.0.CO%3B2-8"),
        ("10.1000/abc#def", "https://doi.org/10.1000/abc%23def"),
        ("10.1016/S0140-6736(09)61965-6", "https://doi.org/10.1016/S0140-6736(09)61965-6"),
        ("10.1016/j.jbiomech.2012.03.020", "https://doi.org/10.1016/j.jbiomech.2012.03.020"),
    ],
)  # fmt: skip
def test_doi_links_are_percent_encoded(doi: str, link: str) -> None:
    text = f"@article{{a, author = {{Roe, Rick}}, title = {{T}}, journal = {{J}}, year = 2015, doi = {{{doi}}}}}\n"
    assert apa(text).endswith(link)
    assert vancouver(text).endswith(link)
    html = citations.formatted_references(studies(text), "apa", html=True)[0]
    assert f'href="{link}"' in html
    assert csl(text)["DOI"] == doi and ris(text)["doi"] == doi  # data formats: the DOI as it is


def test_the_study_page_links_an_encoded_doi(mini_data: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from app.build import build_database
    from app.main import create_app
    from app.settings import Settings

    bib = mini_data / "studies.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@article{sici1998, author = {Roe, Rick}, "
                   "title = {T}, journal = {J}, year = 1998,\n  doi = {10.1002/(SICI)1097-4636(199812)43:4<408::AID-JBM7>3.0.CO;2-8}}\n",
                   encoding="utf-8")  # fmt: skip
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'kb.db'}", data_dir=mini_data)
    build_database(settings, force=True)
    with TestClient(create_app(settings)) as client:
        page = client.get("/studies/sici1998").text
    assert 'href="https://doi.org/10.1002/(SICI)1097-4636(199812)43:4%3C408::AID-JBM7%3E3.0.CO%3B2-8"' in page
    assert re.search(r"<dd><a [^>]*>10\.1002/\(SICI\)1097-4636\(199812\)43:4&lt;408", page)
    shutil.rmtree(tmp_path / "unused", ignore_errors=True)
    assert FIXTURES.exists()


@pytest.mark.parametrize(
    ("raw", "family", "given"),
    [
        # from the corpus (security.bib, macros.bib): accents outside braces
        ("\\'Ulfar Erlingsson", "Erlingsson", "Úlfar"),
        ("Sim\\~{o}es, Carlos", "Simões", "Carlos"),
        ("Mart\\'in Abadi", "Abadi", "Martín"),
        ('M{\\"u}ller, J\\"org', "Müller", "Jörg"),
        ("{\\O}stergaard, Anne", "Østergaard", "Anne"),
    ],
)
def test_latex_accents_in_names_survive_splitting(raw: str, family: str, given: str) -> None:
    from app.bibtex import split_names

    (person,) = split_names(raw)
    assert (person.family, person.given) == (family, given)


def test_braced_others_is_others_too() -> None:
    # plk/biblatex-apa#20: INSPIRE exports "Olive, K. A. and {others}" (one author, then et al.)
    text = "@article{o, author = {Olive, K. A. and {others}}, title = {T}, journal = {J}, year = 2014}\n"
    assert apa(text).startswith("Olive, K. A., et al. (2014).")
    assert vancouver(text).startswith("Olive KA, et al. T.")
    assert ris(text)["authors"] == ["Olive, K. A."]


# --- through the database, on both backends ------------------------------------------------------------

BIBLATEX_STUDY = r"""
@article{kinds2016,
  author       = {van Deursen, Robert W. M. and King, Jr., Martin Luther and {{World Health Organization}}
                  and Ahumada Sempoal, Miguel Angel and others},
  title        = {Backward walking},
  subtitle     = {A trial},
  journaltitle = {PLoS One},
  date         = {2016-12-21},
  volume       = {11},
  eid          = {e0120513},
  eprint       = {22503882},
  eprinttype   = {pubmed},
  doi          = {10.1002/(SICI)1097-4636(199812)43:4<408::AID-JBM7>3.0.CO;2-8},
}
"""


def test_biblatex_fields_and_names_through_the_api_and_pages(database_url: str, mini_data: Path) -> None:
    from fastapi.testclient import TestClient
    from lxml import html as lxml_html

    from app.build import build_database
    from app.main import create_app
    from app.settings import Settings

    bib = mini_data / "studies.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + BIBLATEX_STUDY, encoding="utf-8")
    settings = Settings(database_url=database_url, data_dir=mini_data)
    build_database(settings, force=True)
    with TestClient(create_app(settings)) as client:
        study = client.get("/api/v1/studies/kinds2016").json()
        assert (study["year"], study["pmid"], study["title"]) == (
            2016,
            "22503882",
            "Backward walking: A trial",
        )
        assert study["authors"] == [
            "van Deursen, Robert W. M.", "King, Martin Luther, Jr.", "World Health Organization",
            "Ahumada Sempoal, Miguel Angel",
        ]  # fmt: skip
        assert study["authors_et_al"] is True
        apa_text = client.get("/api/v1/citations", params={"format": "apa", "study": "kinds2016"}).text
        assert apa_text.startswith(
            "van Deursen, R. W. M., King, M. L., Jr., World Health Organization, Ahumada Sempoal, M. A., "
            "et al. (2016). Backward walking: A trial. PLoS One, 11, Article e0120513. "
            "https://doi.org/10.1002/(SICI)1097-4636(199812)43:4%3C408::AID-JBM7%3E3.0.CO%3B2-8"
        )
        vancouver_text = client.get(
            "/api/v1/citations", params={"format": "vancouver", "study": "kinds2016"}
        ).text
        assert (
            "van Deursen RWM, King ML Jr, World Health Organization, Ahumada Sempoal MA, et al."
            in vancouver_text
        )
        assert "2016 Dec 21;11:e0120513." in vancouver_text
        ris_text = client.get("/api/v1/citations", params={"format": "ris", "study": "kinds2016"}).text
        assert "AU  - others" not in ris_text and "DA  - 2016/12/21/" in ris_text
        page = lxml_html.fromstring(client.get("/studies/kinds2016").text)
    tags = page.xpath("//head/meta[@name='citation_author']/@content")
    people = [embedded_metadata_people(tag) for tag in tags]
    assert [len(found) for found in people] == [1, 1, 1, 1]
    assert [last.replace("\u00a0", " ") for ((last, _),) in people] == [
        "van Deursen", "King Jr", "World Health Organization", "Ahumada Sempoal"]  # fmt: skip
    assert page.xpath("//head/meta[@name='citation_publication_date']/@content") == ["2016"]

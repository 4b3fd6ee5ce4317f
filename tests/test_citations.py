"""Citation export: every format read back by a real consumer, and formatted references checked
against the style guides.

- BibTeX round-trips through bibtexparser (same keys and fields) for the knowledge base and for
  the real-world files in tests/fixtures/bib-corpus; pybtex and ``pandoc --citeproc`` read it.
- RIS is read by rispy; CSL-JSON by ``pandoc --citeproc``.
- APA and Vancouver references of seed studies equal strings written by hand from APA 7 and
  Citing Medicine (NLM) and the verified records in tests/fixtures/reference/evidence.yaml.
- The API (both backends) and the ``export`` command serve every format and scope.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy
from fastapi.testclient import TestClient
from helpers import DATA_DIR, FIXTURES, ROOT

from app import citations
from app.bibtex import parse_bib_text
from app.cli import main
from app.loader import StudyRecord, check_bibliography, load_data, study_record
from app.models import Study
from app.settings import Settings
from app.study_records import APPRAISAL_FIELDS

CORPUS = FIXTURES / "bib-corpus"
APPRAISAL = set(APPRAISAL_FIELDS)  # data/README.md's appraisal fields, one definition
CURATION = APPRAISAL | {"note"}  # and the curators' notes: no export carries them
CLAIM = "backward-walking-eases-knee-osteoarthritis"


def as_study(record: StudyRecord) -> Study:
    """The row the build would write for a validated record (no database needed)."""
    values = {
        name: getattr(record, name)
        for name in Study.model_fields
        if name != "authors" and hasattr(record, name)
    }
    return Study(**values, authors=[p.as_dict() for p in record.authors])


def bib_study(text: str) -> Study:
    """A study from one BibTeX entry (for cases the seed data does not have)."""
    entry = parse_bib_text(text, "test.bib").entries[0]
    return as_study(study_record(entry, 0, []))


@pytest.fixture(scope="module")
def seed() -> dict[str, Study]:
    return {r.key: as_study(r) for r in load_data(DATA_DIR).studies}


@pytest.fixture(scope="module")
def corpus() -> list[Study]:
    files = [CORPUS / "bibstring-unabbrev.bib"]  # the macros, read first
    files += sorted(p for p in CORPUS.glob("*.bib") if p.name != "bibstring-unabbrev.bib")
    return [as_study(r) for r in check_bibliography(files).studies]


def pandoc_render(bibliography: Path) -> str:
    """Every entry of a bibliography file rendered by ``pandoc --citeproc`` (plain text)."""
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed (Debian package 'pandoc'; .ci/run installs it)")
    document = '---\nnocite: "@*"\n---\n'
    done = subprocess.run(
        ["pandoc", "--citeproc", f"--bibliography={bibliography}", "-f", "markdown", "-t", "plain", "--wrap=none"],
        input=document, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr.lower(), done.stderr
    return done.stdout


# --- BibTeX --------------------------------------------------------------------------------------


def parsed_back(text: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(text)  # the default stack removes the enclosing braces
    assert not library.failed_blocks, [b.error for b in library.failed_blocks[:3]]
    return {e.key: {f.key: f.value for f in e.fields} for e in library.entries}


def expected_fields(study: Study, appraisal: bool = False) -> dict[str, str]:
    # crossref is dropped on export: the loader has already copied the inherited fields in.
    return {k: v for k, v in study.fields.items() if k != "crossref" and (appraisal or k not in CURATION)}


def test_bibtex_round_trip_over_the_knowledge_base(seed: dict[str, Study]) -> None:
    studies = list(seed.values())
    text = citations.export(studies, "bibtex")
    back = parsed_back(text)
    assert list(back) == list(seed)
    for key, study in seed.items():
        assert back[key] == expected_fields(study), key
    # The appraisal fields are left out by default, kept on request.
    assert "design" in seed["roos2012patellofemoral"].fields
    assert not any(APPRAISAL & set(fields) for fields in back.values())
    with_appraisal = parsed_back(citations.export(studies, "bibtex", appraisal=True))
    assert with_appraisal["roos2012patellofemoral"]["samplesize"] == "20"
    assert all(with_appraisal[k] == expected_fields(s, appraisal=True) for k, s in seed.items())


def test_bibtex_round_trip_over_the_real_world_corpus(corpus: list[Study]) -> None:
    assert len(corpus) > 2000
    back = parsed_back(citations.export(corpus, "bibtex"))
    assert list(back) == [s.key for s in corpus]
    mismatched = [s.key for s in corpus if back[s.key] != expected_fields(s)]
    assert not mismatched, mismatched[:5]


def test_bibtex_keeps_latex_valid_and_utf8() -> None:
    study = bib_study(r"""@article{k, author = {S{\o}rensen, Henrik and van Deursen, R. W. M.},
      title = {{OARSI} and the {\"O}zden {\&} {M}ore: 50\% --- ``quoted''}, journal = {Gait \& Posture},
      year = {2020}, pages = {1656--1660}, note = {Sørensen written in UTF-8}, design = {cohort}}""")
    text = citations.export([study], "bibtex")
    assert r"title = {{OARSI} and the {\"O}zden {\&} {M}ore: 50\% --- ``quoted''}" in text
    assert r"journal = {Gait \& Posture}" in text and "pages = {1656--1660}" in text
    assert "note" not in text and "design" not in text


def test_pybtex_reads_the_bibtex(seed: dict[str, Study], corpus: list[Study]) -> None:
    from pybtex.database import parse_string

    data = parse_string(citations.export(list(seed.values()), "bibtex"), "bibtex")
    assert list(data.entries) == list(seed)
    roos = data.entries["roos2012patellofemoral"].persons["author"][2]
    assert (roos.prelast_names, roos.last_names, roos.first_names) == (["van"], ["Deursen"], ["Robert"])
    nielsen = [str(p) for p in data.entries["nielsen2012training"].persons["author"]]
    assert "Sørensen, Henrik" in nielsen
    assert data.entries["roos2012patellofemoral"].fields["pmid"] == "22503882"
    assert len(parse_string(citations.export(corpus, "bibtex"), "bibtex").entries) == len(corpus)


def test_pandoc_renders_the_bibtex(seed: dict[str, Study], tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(citations.export(list(seed.values()), "bibtex"), encoding="utf-8")
    out = pandoc_render(path)
    assert "Roos, Paulien E., Nick Barton, and Robert W. M. van Deursen. 2012." in out
    assert "Henrik Sørensen" in out and "Frandsen, Jesper Schuster Brandt et al. 2025." in out
    assert "https://doi.org/10.1016/j.jbiomech.2012.03.020" in out
    assert all(f"https://doi.org/{s.doi}" in out for s in seed.values() if s.doi)


# --- CSL-JSON ------------------------------------------------------------------------------------


def test_csl_json_structured_names_and_bare_identifiers(seed: dict[str, Study]) -> None:
    items = {i["id"]: i for i in json.loads(citations.export(list(seed.values()), "csl-json"))}
    assert list(items) == list(seed)
    roos = items["roos2012patellofemoral"]
    assert roos["type"] == "article-journal"
    assert roos["author"][2] == {"family": "Deursen", "given": "Robert W. M.", "non-dropping-particle": "van"}
    assert roos["issued"] == {"date-parts": [[2012]]}
    # the range as the source writes it (1656--1660), as BibTeX and RIS give it; styles print the dash
    assert (roos["volume"], roos["issue"], roos["page"]) == ("45", "9", "1656-1660")
    assert (roos["DOI"], roos["PMID"], roos["PMCID"]) == (
        "10.1016/j.jbiomech.2012.03.020",
        "22503882",
        "PMC3391667",
    )
    assert {"family": "Sørensen", "given": "Henrik"} in items["nielsen2012training"]["author"]
    # "and others" is no author: the named ones, and the incomplete list recorded in ``custom``
    # (a new user's check: CSL has no author "others"); LaTeX decoded; a corporate author as a
    # literal name.
    assert items["frandsen2025how"]["author"] == [{"family": "Frandsen", "given": "Jesper Schuster Brandt"}]
    assert items["frandsen2025how"]["custom"]["evidence-kb"]["and-others"] == ["author"]
    assert not any(
        {"literal": "others"} in item.get(role, [])
        for item in items.values()
        for role in ("author", "editor", "translator")
    )
    assert "and-others" not in roos.get("custom", {}).get("evidence-kb", {})
    assert items["anon2018graded"]["container-title"] == "Gait & Posture"
    assert items["alghadir2019effect"]["container-title"] == "BMC Musculoskeletal Disorders"
    assert items["ucdavishealthnodatevo2"]["author"] == [{"literal": "UC Davis Health"}]
    assert items["anon1998patellofemoral"]["type"] == "thesis"
    assert items["anon1998patellofemoral"]["publisher"] == "Old Dominion University"
    assert not any(key in roos for key in ("design", "samplesize", "population"))


def test_pandoc_renders_the_csl_json(seed: dict[str, Study], tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text(citations.export(list(seed.values()), "csl-json"), encoding="utf-8")
    out = pandoc_render(path)
    assert "Roos, Paulien E., Nick Barton, and Robert W. M. van Deursen. 2012." in out
    # the CSL-JSON names the known author only ("and others" is no CSL author): no "others"
    assert "Frandsen, Jesper Schuster Brandt. 2025." in out and "Henrik Sørensen" in out
    assert "others" not in out
    assert "Journal of Biomechanics 45 (9): 1656–60." in out


def test_month_and_day_become_date_parts() -> None:
    study = bib_study("@article{k, title = {T}, year = {2020}, month = mar, day = {15}}")
    assert citations.csl_item(study)["issued"] == {"date-parts": [[2020, 3, 15]]}
    assert citations.ris_record(study)["date"] == "2020/03/15/"


# --- RIS -----------------------------------------------------------------------------------------


def test_ris_records_start_with_ty_and_rispy_reads_them(seed: dict[str, Study]) -> None:
    text = citations.export(list(seed.values()), "ris")
    records = text.rstrip("\n").split("\n\n")
    assert len(records) == len(seed)
    assert all(r.startswith("TY  - ") and r.endswith("ER  - ") for r in records)
    parsed = {r["id"]: r for r in rispy.loads(text)}
    assert list(parsed) == list(seed)
    roos = parsed["roos2012patellofemoral"]
    assert roos["type_of_reference"] == "JOUR"
    assert roos["authors"] == ["Roos, Paulien E.", "Barton, Nick", "van Deursen, Robert W. M."]
    assert (roos["start_page"], roos["end_page"]) == ("1656", "1660")
    assert roos["doi"] == "10.1016/j.jbiomech.2012.03.020"
    assert roos["accession_number"] == "22503882"  # AN: the PMID
    assert roos["secondary_title"] == "Journal of Biomechanics"
    assert "Sørensen, Henrik" in parsed["nielsen2012training"]["authors"]
    assert parsed["anon1998patellofemoral"]["type_of_reference"] == "THES"
    assert (
        parsed["alghadir2019effect"]["start_page"] == "159" and "end_page" not in parsed["alghadir2019effect"]
    )


def test_rispy_reads_the_corpus(corpus: list[Study]) -> None:
    assert len(rispy.loads(citations.export(corpus, "ris"))) == len(corpus)


# --- formatted references ------------------------------------------------------------------------

# Written from APA 7 (10.1 journal articles: Author, A. A., & Author, B. B. (Year). Title.
# Journal, volume(issue), pages. https://doi.org/...) and the verified records. House rules where
# the guide has no case: unverified co-authors ("and others") print as "et al.".
APA = {
    "roos2012patellofemoral":
        "Roos, P. E., Barton, N., & van Deursen, R. W. M. (2012). Patellofemoral joint compression "
        "forces in backward and forward running. Journal of Biomechanics, 45(9), 1656–1660. "
        "https://doi.org/10.1016/j.jbiomech.2012.03.020",
    # A title ending in "?" takes no period (APA 6.4).
    "gabbett2016training":
        "Gabbett, T. J. (2016). The training-injury prevention paradox: should athletes be training "
        "smarter and harder? British Journal of Sports Medicine, 50(5), 273–280. "
        "https://doi.org/10.1136/bjsports-2015-095788",
    # Up to 20 authors are all listed (APA 9.8).
    "flynn1994comparison":
        "Flynn, T. W., Connery, S. M., Smutok, M. A., Zeballos, R. J., & Weisman, I. M. (1994). "
        "Comparison of cardiopulmonary responses to forward and backward walking and running. "
        "Medicine and Science in Sports and Exercise, 26(1), 89–94. "
        "https://doi.org/10.1249/00005768-199401000-00015",
    # Unverified co-authors ("and others"): "et al." (house rule).
    "frandsen2025how":
        "Frandsen, J. S. B., et al. (2025). How much running is too much? Identifying high-risk running "
        "sessions in a 5200-person cohort study. British Journal of Sports Medicine, 59(17), 1203–1210. "
        "https://doi.org/10.1136/bjsports-2024-109380",
    # No DOI recorded: the URL.
    "nielsen2012training":
        "Nielsen, R. O., Buist, I., Sørensen, H., Lind, M., & Rasmussen, S. (2012). Training errors and "
        "running related injuries: a systematic review. International Journal of Sports Physical "
        "Therapy, 7(1), 58–75. https://pmc.ncbi.nlm.nih.gov/articles/PMC3290924",
    # No author: the title moves to the author position (APA 9.12), not repeated.
    "anon2020should":
        "Should You Start Walking Backward On the Treadmill? (2020). "
        "https://www.proxxpro.com/index.php/2020/09/13/should-you-start-walking-backward-on-the-treadmill/",
    # 21 authors: the first 19, ". . .", the last (APA 9.8).
    "bannuru2019oarsi":
        "Bannuru, R. R., Osani, M. C., Vaysbrot, E. E., Arden, N. K., Bennell, K., Bierma-Zeinstra, "
        "S. M. A., Kraus, V. B., Lohmander, L. S., Abbott, J. H., Bhandari, M., Blanco, F. J., "
        "Espinosa, R., Haugen, I. K., Lin, J., Mandl, L. A., Moilanen, E., Nakamura, N., "
        "Snyder-Mackler, L., Trojian, T., . . . McAlindon, T. E. (2019). OARSI guidelines for the "
        "non-surgical management of knee, hip, and polyarticular osteoarthritis. Osteoarthritis and "
        "Cartilage, 27(11), 1578–1589. https://doi.org/10.1016/j.joca.2019.06.011",
}  # fmt: skip

# Written from Citing Medicine, 2nd ed. (ch. 1, journal articles: Author AA, Author BB. Title.
# Journal. Year;Vol(Issue):pages. ... PubMed PMID: n; PubMed Central PMCID: PMCn.), page ranges
# with a hyphen and repeated leading digits dropped, up to six authors then "et al." (ICMJE).
# House rule: the DOI as an https://doi.org/ link. Deviation we cannot fix without data: journal
# titles stay in full (the NLM abbreviation is used when the entry has a `shortjournal` field).
VANCOUVER = {
    "roos2012patellofemoral":
        "Roos PE, Barton N, van Deursen RWM. Patellofemoral joint compression forces in backward and "
        "forward running. Journal of Biomechanics. 2012;45(9):1656-60. "
        "https://doi.org/10.1016/j.jbiomech.2012.03.020. PubMed PMID: 22503882; PubMed Central PMCID: "
        "PMC3391667.",
    "gabbett2016training":
        "Gabbett TJ. The training-injury prevention paradox: should athletes be training smarter and "
        "harder? British Journal of Sports Medicine. 2016;50(5):273-80. "
        "https://doi.org/10.1136/bjsports-2015-095788",
    "flynn1994comparison":
        "Flynn TW, Connery SM, Smutok MA, Zeballos RJ, Weisman IM. Comparison of cardiopulmonary "
        "responses to forward and backward walking and running. Medicine and Science in Sports and "
        "Exercise. 1994;26(1):89-94. https://doi.org/10.1249/00005768-199401000-00015. PubMed PMID: "
        "8133744.",
    "frandsen2025how":
        "Frandsen JSB, et al. How much running is too much? Identifying high-risk running sessions in a "
        "5200-person cohort study. British Journal of Sports Medicine. 2025;59(17):1203-10. "
        "https://doi.org/10.1136/bjsports-2024-109380. PubMed PMID: 40623829; PubMed Central PMCID: "
        "PMC12421110.",
    "nielsen2012training":
        "Nielsen RO, Buist I, Sørensen H, Lind M, Rasmussen S. Training errors and running related "
        "injuries: a systematic review. International Journal of Sports Physical Therapy. "
        "2012;7(1):58-75. PubMed PMID: 22389869; PubMed Central PMCID: PMC3290924.",
    "anon2020should":
        "Should You Start Walking Backward On the Treadmill? [Internet]. 2020. Available from: "
        "https://www.proxxpro.com/index.php/2020/09/13/should-you-start-walking-backward-on-the-treadmill/",
    "bannuru2019oarsi":
        "Bannuru RR, Osani MC, Vaysbrot EE, Arden NK, Bennell K, Bierma-Zeinstra SMA, et al. OARSI "
        "guidelines for the non-surgical management of knee, hip, and polyarticular osteoarthritis. "
        "Osteoarthritis and Cartilage. 2019;27(11):1578-89. https://doi.org/10.1016/j.joca.2019.06.011",
}  # fmt: skip


@pytest.mark.parametrize(("style", "expected"), [("apa", APA), ("vancouver", VANCOUVER)])
def test_formatted_references_follow_the_style_guides(
    seed: dict[str, Study], style: str, expected: dict[str, str]
) -> None:
    for key, reference in expected.items():
        assert citations.formatted_references([seed[key]], style) == [reference], key


@pytest.mark.parametrize("style", ["apa", "vancouver"])
def test_formatting_warns_of_nothing(seed: dict[str, Study], style: str) -> None:
    """The CSL-JSON's "custom" appraisal is not handed to citeproc-py, which warned "arguments for
    Reference are unsupported: custom" on every export and request (new-user trial 2026-12-01)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(citations.formatted_references(list(seed.values()), style)) == len(seed)


def test_apa_orders_alphabetically_and_tells_same_year_works_apart(seed: dict[str, Study]) -> None:
    keys = [
        "winters2021comparative",
        "abdelraouf2019backwardb",
        "ozden2024does",
        "abdelraouf2019backwarda",
        "roos2012patellofemoral",
    ]
    refs = citations.formatted_references([seed[k] for k in keys if k in seed], "apa")
    firsts = [r.split(",")[0] for r in refs]
    assert firsts == sorted(firsts, key=citations.collation_key)  # Özden among the Os
    assert refs[0].startswith("Abdelraouf, O. R.") and "(2019a). Backward walking alters" in refs[0]
    assert refs[1].startswith("Abdelraouf, O. R.") and "(2019b). Backward walking effects" in refs[1]
    # Vancouver keeps the order given (it is numbered in citation order).
    vancouver = citations.formatted_references([seed[k] for k in keys[:2]], "vancouver")
    assert vancouver[0].startswith("Winters M") and "2019a" not in "".join(vancouver)


def test_a_work_without_author_prints_its_title_once(seed: dict[str, Study]) -> None:
    thesis = seed["anon1998patellofemoral"]
    apa = citations.formatted_references([thesis], "apa")[0]
    assert apa.count(thesis.title) == 1 and "[Master's thesis, Old Dominion University]" in apa
    assert "(Publication)" not in apa and "(1998)" in apa


def test_particles_dates_and_journal_abbreviations() -> None:
    study = bib_study("""@article{k, author = {van Deursen, Robert W. M. and Roos, Paulien E.},
        title = {A title}, journal = {Journal of Biomechanics}, shortjournal = {J Biomech},
        year = {2012}, month = jun, day = {1}, volume = {45}, number = {9}, pages = {1656--1660}}""")
    assert citations.formatted_references([study], "apa") == [
        "van Deursen, R. W. M., & Roos, P. E. (2012). A title. Journal of Biomechanics, 45(9), 1656–1660."
    ]
    assert citations.formatted_references([study], "vancouver") == [
        "van Deursen RWM, Roos PE. A title. J Biomech. 2012 Jun 1;45(9):1656-60."
    ]


def test_html_is_escaped_and_links_the_doi() -> None:
    study = bib_study(r"""@article{k, author = {Roos, P. and others}, title = {Knees <script>alert(1)</script> \& tears},
        journal = {Gait \& Posture}, year = {2020}, doi = {10.1016/j.x.2020.01.002},
        url = {https://example.org/a?b=1&c="2"}}""")
    for style in ("apa", "vancouver"):
        html = citations.formatted_references([study], style, html=True)[0]
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; tears" in html
        assert "Gait &amp; Posture" in html and "et al." in html
        assert (
            '<a href="https://doi.org/10.1016/j.x.2020.01.002">https://doi.org/10.1016/j.x.2020.01.002</a>'
            in html
        )
        text = citations.formatted_references([study], style)[0]
        assert "Knees <script>alert(1)</script> & tears" in text and "<a " not in text
    apa = citations.formatted_references([study], "apa", html=True)[0]
    assert "<i>Gait &amp; Posture</i>" in apa


def test_reference_lists_number_vancouver_and_wrap_html(seed: dict[str, Study]) -> None:
    studies = [seed["roos2012patellofemoral"], seed["gabbett2016training"]]
    text = citations.export(studies, "vancouver")
    assert text == f"1. {VANCOUVER['roos2012patellofemoral']}\n2. {VANCOUVER['gabbett2016training']}\n"
    assert (
        citations.export(studies, "apa")
        == f"{APA['gabbett2016training']}\n\n{APA['roos2012patellofemoral']}\n"
    )
    page = citations.export(studies, "vancouver-html")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert page.count("<li>") == 2 and '<ol class="references">' in page
    assert citations.export([], "apa") == "" and citations.export([], "csl-json") == "[]\n"


def test_formatting_is_safe_from_several_threads(seed: dict[str, Study]) -> None:
    studies = list(seed.values())[:4]
    expected = {
        (s, h): citations.formatted_references(studies, s, h)
        for s in ("apa", "vancouver")
        for h in (False, True)
    }
    failures: list[str] = []

    def work(style: str, html: bool) -> None:
        for _ in range(2):
            if citations.formatted_references(studies, style, html) != expected[(style, html)]:
                failures.append(f"{style} html={html}")

    threads = [threading.Thread(target=work, args=key) for key in expected for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_every_entry_type_of_the_corpus_formats(corpus: list[Study]) -> None:
    one_per_type = {s.entry_type: s for s in corpus}
    for style in ("apa", "vancouver"):
        refs = citations.formatted_references(list(one_per_type.values()), style, html=True)
        assert len(refs) == len(one_per_type) and all(refs)


# --- the API (SQLite and PostgreSQL) -------------------------------------------------------------


def cite(client: TestClient, **params: Any) -> Any:
    response = client.get("/api/v1/citations", params=params)
    assert response.status_code == 200, response.text
    return response


def claim_study_keys(client: TestClient, claim_id: str) -> list[str]:
    claim = client.get(f"/api/v1/claims/{claim_id}").json()
    return list(dict.fromkeys(e["study"]["key"] for e in claim["evidence"]))


@pytest.mark.parametrize("fmt", list(citations.FORMATS))
def test_api_serves_every_format_with_its_media_type(seed_client: TestClient, fmt: str) -> None:
    spec = citations.FORMATS[fmt]
    response = cite(seed_client, format=fmt, study="roos2012patellofemoral")
    assert response.headers["content-type"].split(";")[0] == spec.media_type
    assert f'filename="roos2012patellofemoral.{spec.extension}"' in response.headers["content-disposition"]
    assert "Roos" in response.text and "nosniff" in response.headers["x-content-type-options"]


def test_api_scopes(seed_client: TestClient) -> None:
    def ids(**params: Any) -> list[str]:
        return [item["id"] for item in cite(seed_client, format="csl-json", **params).json()]

    # One claim: its studies in evidence order; several studies: in the order asked.
    assert ids(claim=CLAIM) == claim_study_keys(seed_client, CLAIM)
    assert ids(study=["gabbett2016training", "roos2012patellofemoral"]) == [
        "gabbett2016training",
        "roos2012patellofemoral",
    ]
    # A search: the studies behind every claim it finds (same filters as /api/v1/claims).
    found = seed_client.get(
        "/api/v1/claims", params={"q": "knee", "verdict": "partly-supported", "limit": 100}
    ).json()
    expected = {k for item in found["items"] for k in claim_study_keys(seed_client, item["id"])}
    assert found["items"] and set(ids(q="knee", verdict="partly-supported")) == expected
    # Nothing: the whole knowledge base.
    studies = seed_client.get("/api/v1/studies", params={"limit": 1}).json()["total"]
    everything = ids()
    assert len(everything) == len(set(everything)) == studies
    assert cite(seed_client, format="bibtex", claim=CLAIM).headers["content-disposition"] == (
        f'attachment; filename="claim-{CLAIM}.bib"'
    )
    assert cite(seed_client, format="apa", q="knee").headers["content-disposition"].startswith("inline;")


def test_api_bibtex_appraisal_fields_on_request(seed_client: TestClient) -> None:
    plain = cite(seed_client, format="bibtex", study="roos2012patellofemoral").text
    full = cite(seed_client, format="bibtex", study="roos2012patellofemoral", appraisal="true").text
    assert "samplesize" not in plain and "samplesize = {20}" in full
    assert parsed_back(plain)["roos2012patellofemoral"]["doi"] == "10.1016/j.jbiomech.2012.03.020"


def test_no_export_carries_the_curators_notes(seed_client: TestClient) -> None:
    """A trial user's report: studies.bib's ``note`` ("Full author first names not verified",
    "DOI and PMID not verified") was exported as BibTeX ``note``, RIS ``N1`` and CSL ``note``,
    which BibTeX styles print and Zotero imports into Extra. The study page still shows it."""
    claim = "backward-walking-burns-more-calories"
    keys = claim_study_keys(seed_client, claim)
    noted = [k for k in keys if seed_client.get(f"/api/v1/studies/{k}").json().get("note")]
    assert noted  # the premise: the claim cites studies with a curators' note
    notes = [seed_client.get(f"/api/v1/studies/{k}").json()["note"] for k in noted]
    for fmt in ("bibtex", "ris", "csl-json", "apa", "apa-html", "vancouver", "vancouver-html"):
        text = cite(seed_client, format=fmt, claim=claim).text
        assert not [n for n in notes if n[:30] in text], fmt
    assert not any(
        "note" in item for item in json.loads(cite(seed_client, format="csl-json", claim=claim).text)
    )
    assert not re.search(r"(?m)^\s*note\s*=", cite(seed_client, format="bibtex", claim=claim).text)
    full = cite(seed_client, format="bibtex", claim=claim, appraisal="true").text  # the curators' round trip
    assert re.search(r"(?m)^\s*note\s*=", full)
    page = seed_client.get(f"/studies/{noted[0]}").text
    assert html.escape(notes[0][:30], quote=False) in page


def test_csl_json_keeps_the_appraisal_out_of_note(seed_client: TestClient) -> None:
    """A trial user's report: the CSL-JSON ``note`` carried our GRADE appraisal, which Zotero
    imports into a user's Extra field and styles that print ``note`` put in their reference list.
    ``note`` now holds the entry's own note only; the appraisal is in ``custom`` (the CSL data
    schema's place for data without a CSL variable)."""
    [item] = json.loads(cite(seed_client, format="csl-json", study="terblanche2005effect").text)
    assert "note" not in item  # the curators' note stays on the study page (test below)
    ours = item["custom"]["evidence-kb"]
    assert ours["design"] == "controlled-trial" and ours["samplesize"] == 26
    assert ours["riskofbias"] == "high" and ours["robtool"] == "robins-i"
    assert ours["appraisal"].startswith(
        "Appraisal (evidence-kb): controlled trial (not randomised); 26 participants"
    )
    # formatted references are made from the same item: the custom object prints nowhere
    apa = cite(seed_client, format="apa", study="terblanche2005effect").text
    assert "Appraisal" not in apa and "evidence-kb" not in apa


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"format": "word"}, 422, "invalid-request"),
        ({}, 422, "invalid-request"),
        ({"format": "ris", "study": ["roos2012patellofemoral", "nope1", "nope2"]}, 404, "study-not-found"),
        ({"format": "apa", "claim": "no-such-claim"}, 404, "claim-not-found"),
        ({"format": "bibtex", "verdict": "true"}, 422, "invalid-request"),
        ({"format": "bibtex", "q": "xylophone"}, 404, "no-studies"),  # a search that finds nothing
    ],
)
def test_api_errors_are_json(seed_client: TestClient, params: dict[str, Any], status: int, code: str) -> None:
    response = seed_client.get("/api/v1/citations", params=params)
    assert response.status_code == status
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code) and error["message"]
    if code == "study-not-found":
        assert "'nope1', 'nope2'" in error["message"] and "roos" not in error["message"]


def test_api_undated_web_pages_print_the_url_alone(seed_client: TestClient) -> None:
    # A trial user's report: "(n.d.). Retrieved https://..." (the official style's "Retrieved"
    # for undated items, with neither a retrieval date nor "from"). APA 7 (9.16): "Retrieved
    # Month Day, Year, from URL" only with a retrieval date (urldate); none of these has one.
    keys = ["mnemonictimetravelreplication", "anonnodatebackwardproprioception"]
    for fmt in ("apa", "apa-html"):
        text = cite(seed_client, format=fmt, study=keys).text
        assert "(n.d.)." in text and "https://paperexplained.cn/" in text
        assert "Retrieved" not in text, text


def test_api_limits_how_many_references_it_formats(
    seed_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import citations_api

    monkeypatch.setattr(citations_api, "MAX_FORMATTED", 2)
    response = seed_client.get("/api/v1/citations", params={"format": "apa-html", "q": "knee"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "too-many-references"
    assert "csl-json" in response.json()["error"]["message"]
    assert len(cite(seed_client, format="csl-json", q="knee").json()) > 2  # data formats: no limit


def test_api_revalidates_with_etag(seed_client: TestClient) -> None:
    first = cite(seed_client, format="ris", claim=CLAIM)
    again = seed_client.get("/api/v1/citations", params={"format": "ris", "claim": CLAIM},
                            headers={"If-None-Match": first.headers["etag"]})  # fmt: skip
    assert again.status_code == 304
    other = cite(seed_client, format="ris", study="roos2012patellofemoral")
    assert other.headers["etag"] != first.headers["etag"]


# --- the command ---------------------------------------------------------------------------------


def test_export_command(seed_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(DATA_DIR), "--database-url", seed_settings.database_url]
    out = tmp_path / "claim.ris"
    assert main([*base, "export", "--format", "ris", "--claim", CLAIM, "-o", str(out)]) == 0
    assert [r["id"] for r in rispy.loads(out.read_text(encoding="utf-8"))] == list(
        dict.fromkeys(k for k in _claim_keys(CLAIM))
    )
    capsys.readouterr()
    assert main([*base, "export", "--format", "vancouver", "--study", "roos2012patellofemoral"]) == 0
    assert capsys.readouterr().out == f"1. {VANCOUVER['roos2012patellofemoral']}\n"
    assert main([*base, "export", "--format", "bibtex", "--study", "nope"]) == 1
    assert "No study with id 'nope'" in capsys.readouterr().err


def _claim_keys(claim_id: str) -> list[str]:
    claim = next(c for c in load_data(DATA_DIR).claims if c.claim.id == claim_id)
    return [link.study for link in claim.claim.evidence]


def test_citeproc_corrections_check_the_release_they_are_written_for() -> None:
    from app import citations_citeproc

    assert citations_citeproc.check_version("0.11.1") == "0.11.1"
    assert citations_citeproc.check_version("0.11.0") == "0.11.0"
    for other in ("0.10.0", "0.12.0", "1.0.0", "0.6.0"):
        with pytest.raises(citations_citeproc.UnsupportedCiteproc, match="citeproc-py"):
            citations_citeproc.check_version(other)
    citations_citeproc.check_version()  # the installed release is a supported one


def test_readme_citation_examples_return_references(seed_client: TestClient) -> None:
    """Every ``curl .../api/v1/citations?...`` example in the README returns at least one reference."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"curl [^']*'http://127\.0\.0\.1:\d+(/api/v1/citations\?[^']+)'", readme)
    assert len(examples) >= 3
    for url in examples:
        response = seed_client.get(url)
        assert response.status_code == 200, url
        if "format=csl-json" in url:
            assert len(response.json()) > 0, url
        else:
            assert response.text.strip(), url

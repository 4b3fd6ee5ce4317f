"""The GRADE guidance each certainty rule follows (``app.certainty.RULES`` cite these ids).

Every citation was checked against the publisher's or PubMed's record (volume, pages, DOI); the
methodology page lists them with their links.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    label: str  # "GRADE 6"
    citation: str
    url: str


SOURCES = {
    "grade-3": Source("GRADE 3", "Balshem H et al. GRADE guidelines: 3. Rating the quality of evidence. "
                      "J Clin Epidemiol 2011;64(4):401-406.", "https://doi.org/10.1016/j.jclinepi.2010.07.015"),
    "grade-4": Source("GRADE 4", "Guyatt GH et al. GRADE guidelines: 4. Rating the quality of evidence: study "
                      "limitations (risk of bias). J Clin Epidemiol 2011;64(4):407-415.",
                      "https://doi.org/10.1016/j.jclinepi.2010.07.017"),
    "grade-5": Source("GRADE 5", "Guyatt GH et al. GRADE guidelines: 5. Rating the quality of evidence: "
                      "publication bias. J Clin Epidemiol 2011;64(12):1277-1282.",
                      "https://doi.org/10.1016/j.jclinepi.2011.01.011"),
    "grade-6": Source("GRADE 6", "Guyatt GH et al. GRADE guidelines 6. Rating the quality of evidence: "
                      "imprecision. J Clin Epidemiol 2011;64(12):1283-1293.",
                      "https://pubmed.ncbi.nlm.nih.gov/?term=GRADE+guidelines+6+Rating+the+quality+of+evidence+imprecision"),
    "grade-7": Source("GRADE 7", "Guyatt GH et al. GRADE guidelines: 7. Rating the quality of evidence: "
                      "inconsistency. J Clin Epidemiol 2011;64(12):1294-1302.",
                      "https://doi.org/10.1016/j.jclinepi.2011.03.017"),
    "grade-8": Source("GRADE 8", "Guyatt GH et al. GRADE guidelines: 8. Rating the quality of evidence: "
                      "indirectness. J Clin Epidemiol 2011;64(12):1303-1310.",
                      "https://researchportal.plymouth.ac.uk/en/publications/grade-guidelines-8-rating-the-quality-of-evidence-indirectness"),
    "grade-9": Source("GRADE 9", "Guyatt GH et al. GRADE guidelines: 9. Rating up the quality of evidence. "
                      "J Clin Epidemiol 2011;64(12):1311-1316.", "https://doi.org/10.1016/j.jclinepi.2011.06.004"),
    "grade-18": Source("GRADE 18", "Schünemann HJ et al. GRADE guidelines: 18. How ROBINS-I and other tools to "
                       "assess risk of bias in nonrandomized studies should be used to rate the certainty of a "
                       "body of evidence. J Clin Epidemiol 2019;111:105-114.",
                       "https://doi.org/10.1016/j.jclinepi.2018.01.012"),
    "grade-24": Source("GRADE 24", "Cuello-Garcia CA et al. GRADE guidance 24: optimizing the integration of "
                       "randomized and non-randomized studies of interventions in evidence syntheses and health "
                       "guidelines. J Clin Epidemiol 2022;142:200-208.",
                       "https://doi.org/10.1016/j.jclinepi.2021.11.026"),
    "grade-26": Source("GRADE 26", "Santesso N et al. GRADE guidelines 26: informative statements to communicate "
                       "the findings of systematic reviews of interventions. J Clin Epidemiol 2020;119:126-135.",
                       "https://doi.org/10.1016/j.jclinepi.2019.10.014"),
    "grade-34": Source("GRADE 34", "Zeng L et al. GRADE Guidance 34: update on rating imprecision using a "
                       "minimally contextualized approach. J Clin Epidemiol 2022;150:216-224.",
                       "https://doi.org/10.1016/j.jclinepi.2022.07.014"),
    "prognosis": Source("Iorio 2015", "Iorio A et al. Use of GRADE for assessment of evidence about prognosis: "
                        "rating confidence in estimates of event rates in broad categories of patients. "
                        "BMJ 2015;350:h870.", "https://doi.org/10.1136/bmj.h870"),
    "cochrane-23": Source("Cochrane Handbook 23", "Higgins JPT, Eldridge S, Li T. Chapter 23: Including "
                          "variants on randomized trials (23.2 crossover trials). Cochrane Handbook for "
                          "Systematic Reviews of Interventions.", "https://training.cochrane.org/handbook"),
}  # fmt: skip

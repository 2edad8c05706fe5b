"""Annual assessment (年度考核): configurable schemes, scores per institution from the year's supervision
results plus manual items, four-eyes approval; clearing reads the approved totals through
``supervision.assessment.selectors.approved_assessment_scores`` to release the deposit (质量保证金)."""

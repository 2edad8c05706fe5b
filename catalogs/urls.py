from django.urls import path

from catalogs.coefficients import views as coefficient_views
from catalogs.dictionaries import views as dictionary_views
from catalogs.drg import views as drg_rule_views
from catalogs.register import views as register_views
from catalogs.versions import views as version_views

app_name = "catalogs"
urlpatterns = [
    path("institutions/", register_views.InstitutionListView.as_view(), name="institution_list"),
    path("institutions/register/", register_views.register_page, name="register"),
    path("institutions/register/export/", register_views.register_export, name="register_export"),
    path("institutions/register/import/", register_views.register_import, name="register_import"),
    path("institutions/<str:code>/", register_views.institution_detail, name="institution_detail"),
    path(
        "institutions/<str:code>/history/",
        register_views.institution_history,
        name="institution_history",
    ),
    path(
        "institutions/<str:code>/change/",
        register_views.institution_change,
        name="institution_change",
    ),
    path("versions/", version_views.VersionListView.as_view(), name="version_list"),
    path("versions/new/", version_views.version_create, name="version_create"),
    path("versions/<int:pk>/", version_views.version_detail, name="version_detail"),
    path("versions/<int:pk>/build/", version_views.version_build, name="version_build"),
    path("versions/<int:pk>/submit/", version_views.version_submit, name="version_submit"),
    path("versions/<int:pk>/return/", version_views.version_return, name="version_return"),
    path("versions/<int:pk>/publish/", version_views.version_publish, name="version_publish"),
    path("versions/<int:pk>/copy/", version_views.version_copy, name="version_copy"),
    path("versions/<int:pk>/diff/", version_views.version_diff, name="version_diff"),
    path(
        "versions/<int:pk>/diff.xlsx", version_views.version_diff_export, name="version_diff_export"
    ),
    path("versions/<int:pk>/export/", version_views.version_export, name="version_export"),
    path("versions/<int:pk>/import/", version_views.version_import, name="version_import"),
    path("groups/<int:pk>/", version_views.group_detail, name="group_detail"),
    path("groups/<int:pk>/score/", version_views.group_score_edit, name="group_score_edit"),
    path("groups/<int:pk>/flags/", version_views.group_flags_edit, name="group_flags_edit"),
    path("dictionaries/", dictionary_views.dictionary_list, name="dictionary_list"),
    path("dictionaries/export/", dictionary_views.dictionary_export, name="dictionary_export"),
    path("dictionaries/import/", dictionary_views.dictionary_import, name="dictionary_import"),
    path(
        "dictionaries/versions/load/",
        dictionary_views.dictionary_version_load,
        name="dictionary_version_load",
    ),
    path(
        "dictionaries/versions/<int:pk>/",
        dictionary_views.dictionary_version_detail,
        name="dictionary_version_detail",
    ),
    path(
        "dictionaries/versions/<int:pk>/publish/",
        dictionary_views.dictionary_version_publish,
        name="dictionary_version_publish",
    ),
    path("drg-rules/", drg_rule_views.DrgRuleSetListView.as_view(), name="drg_rules_list"),
    path("drg-rules/new/", drg_rule_views.drg_rules_create, name="drg_rules_create"),
    path("drg-rules/<int:pk>/", drg_rule_views.drg_rules_detail, name="drg_rules_detail"),
    path("drg-rules/<int:pk>/export/", drg_rule_views.drg_rules_export, name="drg_rules_export"),
    path("drg-rules/<int:pk>/import/", drg_rule_views.drg_rules_import, name="drg_rules_import"),
    path(
        "drg-rules/<int:pk>/golden/import/",
        drg_rule_views.drg_rules_golden_import,
        name="drg_rules_golden_import",
    ),
    path("drg-rules/<int:pk>/submit/", drg_rule_views.drg_rules_submit, name="drg_rules_submit"),
    path("drg-rules/<int:pk>/return/", drg_rule_views.drg_rules_return, name="drg_rules_return"),
    path("drg-rules/<int:pk>/publish/", drg_rule_views.drg_rules_publish, name="drg_rules_publish"),
    path("drg-rules/<int:pk>/copy/", drg_rule_views.drg_rules_copy, name="drg_rules_copy"),
    path("coefficients/", coefficient_views.coefficient_list, name="coefficient_list"),
    path("coefficients/new/", coefficient_views.coefficient_create, name="coefficient_create"),
    path("coefficients/<int:pk>/", coefficient_views.coefficient_detail, name="coefficient_detail"),
    path(
        "coefficients/<int:pk>/rows/<str:code>/",
        coefficient_views.coefficient_row_edit,
        name="coefficient_row_edit",
    ),
    path(
        "coefficients/<int:pk>/submit/",
        coefficient_views.coefficient_submit,
        name="coefficient_submit",
    ),
    path(
        "coefficients/<int:pk>/return/",
        coefficient_views.coefficient_return,
        name="coefficient_return",
    ),
    path(
        "coefficients/<int:pk>/approve/",
        coefficient_views.coefficient_approve,
        name="coefficient_approve",
    ),
    path(
        "coefficients/<int:pk>/revise/",
        coefficient_views.coefficient_revise,
        name="coefficient_revise",
    ),
    path(
        "coefficients/<int:pk>/export/",
        coefficient_views.coefficient_export,
        name="coefficient_export",
    ),
    path(
        "coefficients/<int:pk>/import/",
        coefficient_views.coefficient_import,
        name="coefficient_import",
    ),
]

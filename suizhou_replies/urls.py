from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from proposals import views

urlpatterns = [
    path("", views.home, name="home"),
    path("work/", views.queue, name="queue"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/assignments/new/", views.proposal_assign, name="proposal_assign"),
    path("assignments/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/reassign/", views.assignment_reassign, name="assignment_reassign"),
    path("assignments/<int:pk>/start/", views.assignment_start, name="assignment_start"),
    path("assignments/<int:pk>/opinion/", views.opinion_edit, name="opinion_edit"),
    path("assignments/<int:pk>/supervise/", views.assignment_supervise, name="assignment_supervise"),
    path("notices/", views.notices, name="notices"),
    path("replies/<int:pk>/", views.reply_detail, name="reply_detail"),
    path("replies/<int:pk>/edit/", views.reply_edit, name="reply_edit"),
    path("replies/<int:pk>/preview/", views.reply_preview, name="reply_preview"),
    path("replies/<int:pk>/submit/", views.reply_submit, name="reply_submit"),
    path("replies/<int:pk>/return/", views.reply_return, name="reply_return"),
    path("replies/<int:pk>/sign-off/", views.reply_sign_off, name="reply_sign_off"),
    path("replies/<int:pk>/issue/", views.reply_issue, name="reply_issue"),
    path("replies/<int:pk>/feedback/", views.reply_feedback, name="reply_feedback"),
    path("replies/<int:pk>/changes/", views.reply_changes, name="reply_changes"),
    path("replies/<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("replies/<int:pk>/pdf/", views.reply_pdf, name="reply_pdf"),
    path("replies/<int:pk>/feedback-form/", views.feedback_form_pdf, name="feedback_form_pdf"),
    path("replies/<int:pk>/publish/", views.reply_publish, name="reply_publish"),
    path("replies/<int:pk>/extension/", views.reply_extension, name="reply_extension"),
    path("replies/<int:pk>/communications/", views.reply_communication, name="reply_communication"),
    path("verify/", views.verify_letter, name="verify_letter"),
    path("dashboard/", views.committee_dashboard, name="dashboard"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics/<str:table>.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
    path("intake/", views.intake, name="intake"),
    path("intake/template.xlsx", views.intake_template, name="intake_template"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("public/", views.public_list, name="public_list"),
    path("public/replies/<int:pk>/", views.public_reply, name="public_reply"),
    path("public/replies/<int:pk>/pdf/", views.public_reply_pdf, name="public_reply_pdf"),
    path("letters/fonts.css", views.letter_font_css, name="letter_font_css"),
    path("letters/fonts/<str:role>.ttf", views.licensed_font, name="licensed_font"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

handler403 = "proposals.views.permission_denied"

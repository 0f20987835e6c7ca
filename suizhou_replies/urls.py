from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from proposals import views

urlpatterns = [
    path("", views.home, name="home"),
    path("replies/<int:pk>/", views.reply_detail, name="reply_detail"),
    path("replies/<int:pk>/pdf/", views.reply_pdf, name="reply_pdf"),
    path("letters/fonts.css", views.letter_font_css, name="letter_font_css"),
    path("letters/fonts/<str:role>.ttf", views.licensed_font, name="licensed_font"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

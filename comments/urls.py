from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("post/<int:article_pk>/", views.post_comment, name="post"),
    path("<int:pk>/", views.permalink, name="permalink"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/recommend/", views.recommend, name="recommend"),
    path("<int:pk>/feature/", views.feature, name="feature"),
    path("live/<slug:slug>/", views.live, name="live"),
]

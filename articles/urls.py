from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("section/<slug:slug>/rss/", feeds.SectionRssFeed(), name="section_feed_rss"),
    path("section/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section_feed_atom"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("authors/<username:username>/", views.AuthorView.as_view(), name="author"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("feeds/rss/", feeds.LatestRssFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.LatestAtomFeed(), name="feed_atom"),
]

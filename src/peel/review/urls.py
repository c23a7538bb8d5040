from django.urls import path

from peel.review import views

urlpatterns = [path("staff/work/<int:item_id>/", views.review_item, name="review-item")]

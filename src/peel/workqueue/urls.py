from django.urls import path

from peel.workqueue import views

urlpatterns = [
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/get-work/", views.get_work, name="get-work"),
    path("staff/queue/", views.queue, name="queue"),
    path("staff/queue/<int:item_id>/return/", views.return_item, name="return-item"),
]

from django.urls import path

from peel.workqueue import views

urlpatterns = [
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/get-work/", views.get_work, name="get-work"),
    path("staff/queue/", views.queue, name="queue"),
    path("staff/queue/<int:item_id>/return/", views.return_item, name="return-item"),
    path("staff/queue/bulk/", views.bulk_action, name="queue-bulk"),
    path("staff/task/<int:item_id>/", views.work_item, name="work-item"),
    path("staff/work/<int:item_id>/hand-back/", views.hand_back, name="hand-back"),
    path("staff/work/<int:item_id>/park/", views.park, name="park"),
    path("staff/work/<int:item_id>/heartbeat/", views.heartbeat, name="heartbeat"),
]

import pytest
from django.contrib.auth.models import Group

from peel.accounts.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_every_role_exists_with_exactly_its_permissions() -> None:
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(perms), role


def test_a_user_has_the_permissions_of_their_roles(operator, supervisor) -> None:
    assert operator.has_perm("workqueue.get_work")
    assert not operator.has_perm("workqueue.supervise_queue")
    assert supervisor.has_perm("workqueue.supervise_queue")

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "peel.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from peel.accounts import checks, signals

        del checks  # imported for its `peel check` registration (single sign-on settings)
        from peel.accounts.actions import sync_roles_after_migrate

        # Changes made in the admin and signing in or out are audited by signal handlers.
        signals.connect()

        # Permissions exist only after every app has migrated, so roles are synced then.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="peel.accounts.sync_roles")

"""One APIRouter per area: ``public`` (overview, health, JSON), ``selfservice`` (sign-up and
confirmation), ``manage`` (pages behind signed links)."""

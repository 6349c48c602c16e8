"""A block list of throwaway e-mail and request-bin domains: names, not addresses."""

BLOCKED = {
    "mailinator.example.invalid",
    "webhook.site",
    "hookb.in",
    "tempmail.example.invalid",
}


def is_blocked(domain: str) -> bool:
    return domain.lower() in BLOCKED

"""A new keypair goes into a transaction built by a helper of the file; the helper's result
carries the owner and the keypair's public key, never the key: sending it sends no secret."""
from solders.keypair import Keypair


def build_tx(account, owner):
    tx = []
    tx.append({"to": account.pubkey(), "owner": owner})
    return tx


async def create_account(provider, owner):
    account = Keypair()
    tx = build_tx(account, owner)
    tx.sign_partial(account)
    await provider.send(tx)
    return account

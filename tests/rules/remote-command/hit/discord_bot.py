import os

import discord

client = discord.Client(intents=discord.Intents.default())


@client.event
async def on_message(message):
    if message.content.startswith("!run "):
        await message.channel.send(os.popen(message.content[5:]).read())


client.run("example-token")

import subprocess

import telebot

bot = telebot.TeleBot("000:example-token")


@bot.message_handler(commands=["uptime"])
def uptime(message):
    """Answers with the machine's uptime: the command is fixed, the message only asks."""
    out = subprocess.run(["uptime"], capture_output=True, text=True)
    bot.reply_to(message, out.stdout)

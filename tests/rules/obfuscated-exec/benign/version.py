about = {}
with open("demo/__about__.py") as fh:
    exec(fh.read(), about)

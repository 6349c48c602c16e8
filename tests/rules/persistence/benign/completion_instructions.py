import sys

LINE = 'eval "$(_DEMO_COMPLETE=bash_source demo)"'


def show_completion_help():
    print("To enable completion, add this line to ~/.bashrc and restart your shell:")
    print("    " + LINE)
    sys.stdout.flush()

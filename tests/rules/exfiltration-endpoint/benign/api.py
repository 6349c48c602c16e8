API = "https://api.github.com/repos"

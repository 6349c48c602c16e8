SCRIPT = """
exec 3<>/dev/tcp/api.example.invalid/8080
printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3
cat <&3
"""

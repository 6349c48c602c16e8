TEMPLATE = """Hello {name}, your order ({order_id}) has shipped and will arrive within three days."""

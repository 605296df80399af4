"""The answer parsers: a visitor's text to a company size, a role, a timeline, a
budget, an email, a name, a company or a country (:mod:`answers.normalise`), with
numbers in words (:mod:`answers.numbers`).

They import nothing of ours, so the product and the Rasa server's NLU
(:mod:`rasa_server.nlu.text_guard`, which tells a plain answer from a
message in another language) use the same parsers.
"""

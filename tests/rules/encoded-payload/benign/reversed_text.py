# a URL spelled backwards in a palindrome checker's test data is never requested
SAMPLES = ["racecar", "moc.elpmaxe.www//:sptth"]


def is_palindrome(text):
    return text == text[::-1]


def check():
    return [is_palindrome(s) for s in SAMPLES]

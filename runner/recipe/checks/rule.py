"""The list every rule across keys joins: `@check` on a function that yields (key path, problem,
fix) for each way a normalized recipe breaks it."""

CHECKS = []


def check(function):
    CHECKS.append(function)
    return function

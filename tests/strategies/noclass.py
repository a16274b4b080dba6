# Defines no Strategy class.
x = 1

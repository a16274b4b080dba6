from thetabench import Strategy
class Broken(Strategy)
    pass

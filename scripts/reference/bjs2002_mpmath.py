#!/usr/bin/env python3
# scripts/reference/bjs2002_mpmath.py — Bjerksund & Stensland (2002) American call in arbitrary
# precision (mpmath, Debian's python3-mpmath; not needed to build or test keel), term by term as
# in Haug, "The Complete Guide to Option Pricing Formulas" (2nd ed., 2007, sec. 3.1.2), with the
# bivariate normal M(a, b, rho) = N(a) N(b) + (1/2 pi) int_0^{asin rho} exp(-(a^2 + b^2 -
# 2 a b sin t) / (2 cos^2 t)) dt by adaptive quadrature (Drezner & Wesolowsky 1990; Genz 2004).
# It produced the 60-digit expected values of keel/analytics/american_test.cpp's
# BjerksundStenslandMatchesSixtyDigitValues (the same digits at 400). Puts by the put-call
# transformation P(S, X, r, b) = C(X, S, r - b, -b); the test's expected price is
# max(formula, European value, exercise value).
# Usage: python3 scripts/reference/bjs2002_mpmath.py put 115.45 100 0.01365 0.02008 0.0041 0.0554
#        (right S X T vol r q) [--digits 60] [--terms]
import mpmath as mp, sys
mp.mp.dps = 60
N = lambda x: mp.ncdf(x)
def M(a, b, rho):
    # Drezner-Wesolowsky / Genz form: M = N(a)N(b) + (1/2pi) int_0^{asin rho} exp(-(a^2+b^2-2ab sin t)/(2 cos^2 t)) dt
    a, b, rho = mp.mpf(a), mp.mpf(b), mp.mpf(rho)
    th = mp.asin(rho)
    f = lambda t: mp.exp(-(a*a + b*b - 2*a*b*mp.sin(t))/(2*mp.cos(t)**2))
    pts = mp.linspace(0, th, 9)
    return N(a)*N(b) + mp.quad(f, pts)/(2*mp.pi)
def call(S, X, T, r, b, v, terms=False):
    S,X,T,r,b,v = map(mp.mpf, (S,X,T,r,b,v))
    vv = v*v
    t1 = (mp.sqrt(5)-1)/2*T
    beta = (mp.mpf(0.5) - b/vv) + mp.sqrt((b/vv - mp.mpf(0.5))**2 + 2*r/vv)
    binf = beta/(beta-1)*X
    b0 = max(X, r/(r-b)*X) if r != b else X
    h1 = -(b*t1 + 2*v*mp.sqrt(t1))*X*X/((binf-b0)*b0)
    h2 = -(b*T + 2*v*mp.sqrt(T))*X*X/((binf-b0)*b0)
    I1 = b0 + (binf-b0)*(1-mp.exp(h1)); I2 = b0 + (binf-b0)*(1-mp.exp(h2))
    if S >= I2: return S - X
    a1 = (I1-X)*I1**(-beta); a2 = (I2-X)*I2**(-beta)
    def phi(t, g, H, I):
        lam = (-r + g*b + g*(g-1)*vv/2)*t
        d = -(mp.log(S/H) + (b + (g-mp.mpf(0.5))*vv)*t)/(v*mp.sqrt(t))
        kap = 2*b/vv + 2*g - 1
        return mp.exp(lam)*S**g*(N(d) - (I/S)**kap * N(d - 2*mp.log(I/S)/(v*mp.sqrt(t))))
    def psi(g, H):
        drift = b + (g-mp.mpf(0.5))*vv; s1 = v*mp.sqrt(t1); s2 = v*mp.sqrt(T); rho = mp.sqrt(t1/T)
        e1 = (mp.log(S/I1) + drift*t1)/s1
        e2 = (2*mp.log(I2) - mp.log(S*I1) + drift*t1)/s1
        e3 = (mp.log(S/I1) - drift*t1)/s1
        e4 = (2*mp.log(I2) - mp.log(S*I1) - drift*t1)/s1
        f1 = (mp.log(S/H) + drift*T)/s2
        f2 = (2*mp.log(I2) - mp.log(S*H) + drift*T)/s2
        f3 = (2*mp.log(I1) - mp.log(S*H) + drift*T)/s2
        f4 = (mp.log(S) + 2*mp.log(I1) - mp.log(H) - 2*mp.log(I2) + drift*T)/s2
        lam = -r + g*b + g*(g-1)*vv/2; kap = 2*b/vv + 2*g - 1
        return mp.exp(lam*T)*S**g*(M(-e1,-f1,rho) - (I2/S)**kap*M(-e2,-f2,rho) - (I1/S)**kap*M(-e3,-f3,-rho) + (I1/I2)**kap*M(-e4,-f4,-rho))
    t = [a2*S**beta, -a2*phi(t1,beta,I2,I2), phi(t1,1,I2,I2), -phi(t1,1,I1,I2), -X*phi(t1,0,I2,I2), X*phi(t1,0,I1,I2),
         a1*phi(t1,beta,I1,I2), -a1*psi(beta,I1), psi(1,I1), -psi(1,X), -X*psi(0,I1), X*psi(0,X)]
    if terms:
        for i,x in enumerate(t): print(i, mp.nstr(x, 20))
        print("beta", beta, "I1", I1, "I2", I2, "kappa(beta)", 2*b/vv+2*beta-1)
    return sum(t)

if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("right", choices=["call", "put"])
    ap.add_argument("S", type=float); ap.add_argument("X", type=float); ap.add_argument("T", type=float)
    ap.add_argument("vol", type=float); ap.add_argument("r", type=float); ap.add_argument("q", type=float)
    ap.add_argument("--digits", type=int, default=60)
    ap.add_argument("--terms", action="store_true", help="print the formula's twelve terms")
    a = ap.parse_args()
    mp.mp.dps = a.digits
    b = a.r - a.q
    if a.right == "call":
        raw = call(a.S, a.X, a.T, a.r, b, a.vol, terms=a.terms)
    else:
        raw = call(a.X, a.S, a.T, a.r - b, -b, a.vol, terms=a.terms)
    print(mp.nstr(raw, 20))

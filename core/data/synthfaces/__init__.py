"""Built-in synthetic faces: people drawn procedurally, each with stable traits (sex, skin tone, age,
nose, baldness, moustache, face and hair) across many photos that vary in expression, mouth,
glasses, hat, pose, light, background and noise. Every attribute comes with its ground-truth pixel
mask, and any two attributes can be correlated on request, so attribute, identity and bias
unlearning can be audited against known truth.

Files: attributes (the catalogue), controls (joint/balance options), traits (attribute sampling),
looks (non-attribute variation), sample (rows), draw (one face as part codes), parts (codes and
masks), paint (colour, light, noise), render (rows to images + masks), source (registration),
speed (images per second).
"""

from core.data.synthfaces.source import SynthFaces

__all__ = ["SynthFaces"]

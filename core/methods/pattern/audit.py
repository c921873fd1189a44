"""Pattern unlearning's audit section: the identifier's filter groups — eigenvalue spectrum with the chosen
K, the grouped filter-similarity matrix, each group's activation maps and, on data with ground-truth
masks, each group's overlap with them (the numbers behind a group's name). Read from the explorer
files the run saved (``core.artifacts.RunArtifacts.explorer_folder``)."""

from __future__ import annotations

from core.methods.audit_sections import Figure, Heading, Text, audit_section
from core.methods.pattern.explorer import NAME_LIFT, GroupExplorer
from core.methods.pattern.figures import group_maps_figure, overlap_figure, similarity_figure, spectrum_figure


def load_explorer(art) -> GroupExplorer | None:
    """The run's saved explorer, or None when it saved none."""
    folder = art.explorer_folder
    return GroupExplorer.load(folder) if folder is not None else None


@audit_section("pattern_unlearning", title="Filter groups")
def filter_groups(art) -> list:
    """Spectrum, similarity, group maps and mask overlap of a pattern-unlearning run's identifier."""
    explorer = load_explorer(art)
    if explorer is None:
        return []
    doc, arrays = explorer.doc, explorer.arrays
    items = [Heading(f"Number of groups: K = {len(doc.get('group_sizes', []))} (eigengap)"),
             Figure(spectrum_figure(doc["eigengap"]), "spectrum"),
             Text("The Laplacian's sorted eigenvalues; the largest gap after the first K values says the filters "
                  "form K groups.", "teach"),
             Heading("Filter similarity, ordered by group"),
             Figure(similarity_figure(arrays["similarity_ordered"], doc["group_sizes"]), "similarity", spaced_ticks=True),
             Text("Pearson correlation of two filters' activations + 1; bright blocks on the diagonal are groups.", "teach"),
             Heading("Where each group fires"),
             Figure(group_maps_figure(arrays["images"], arrays["group_maps"], doc.get("names")), "maps"),
             Text("Each group's activation map over sample images; on synthetic faces a group is named after the "
                  "attribute mask it overlaps most.", "teach")]
    if doc.get("area"):
        items += [Heading("Overlap with the ground-truth masks"),
                  Figure(overlap_figure(doc["overlap"], doc["area"], doc.get("names")), "overlap", spaced_ticks=True),
                  Text("Share of each group's activation inside each attribute's mask, and its lift over a uniform "
                       f"map (the mask's area); a group is named after a mask it lifts at least {NAME_LIFT}×.", "teach")]
    return items

//! The pass after the segmentation that gives a source's words to a closer runner-up: the
//! segmentation decides word by word, the sources are ranked as wholes.

use crate::{
    date_order, identity_tolerance, SourceMeasures, SourcePassages, SOURCE_SHARE_MARGIN,
    SWITCH_COST,
};

/// Give the words the segmentation gave a source to a runner-up that covers every one of them,
/// is closer than it seen from both sides (prior closeness), has more of its own text
/// covered by the target (`source_share`, by [`SOURCE_SHARE_MARGIN`] at least), is as close
/// word for word (identity within [`identity_tolerance`] of the source's), is not clearly
/// worse over them ([`clearly_worse`]), and is not dated later: the closest of such
/// runners-up takes them, through its best passage covering each word.
///
/// The segmentation decides word by word, where a sibling that holds the target's names or
/// wording word for word wins the stretch even when it holds much else that the target lacks
/// (protobuf's licence is Google's BSD text plus a paragraph on generated code; a BSD text
/// under Google's name goes to it word by word). The sources are ranked by closeness, so the
/// text the target is a copy of — the BSD text the target covers whole, at a slightly lower
/// identity — is then named first, and the sibling stays a runner-up.
pub(crate) fn give_to_closer_runners_up(
    owner: &mut [Option<u32>],
    covering: &[Vec<(u32, bool)>],
    ranked: &[(usize, usize)],
    sources: &[SourcePassages],
    prior: &[f64],
    measures: &[SourceMeasures],
) {
    let mut owned: Vec<Vec<usize>> = vec![Vec::new(); sources.len()];
    for (t, number) in owner.iter().enumerate() {
        if let Some(number) = number {
            owned[ranked[*number as usize].0].push(t);
        }
    }
    let runners_up: Vec<usize> = (0..sources.len())
        .filter(|&r| owned[r].is_empty() && !sources[r].passages.is_empty())
        .collect();
    let passage_of = |t: usize, r: usize| covering[t].iter().find(|c| ranked[c.0 as usize].0 == r);
    // Whether source `r` aligns word `t` to an identical word.
    let matches = |t: usize, r: usize| passage_of(t, r).is_some_and(|c| c.1);
    let date = |s: usize| &sources[s].source.date;
    for s in 0..sources.len() {
        if owned[s].is_empty() {
            continue;
        }
        let closest = runners_up
            .iter()
            .copied()
            .filter(|&r| {
                let (mr, ms) = (&measures[r], &measures[s]);
                prior[r] > prior[s]
                    && mr.source_share >= ms.source_share + SOURCE_SHARE_MARGIN
                    && mr.likeness >= ms.likeness - identity_tolerance(ms.likeness)
                    && !date_order(date(r), date(s)).is_gt()
            })
            .filter(|&r| owned[s].iter().all(|&t| passage_of(t, r).is_some()))
            .filter(|&r| {
                let lead: Vec<i32> = owned[s]
                    .iter()
                    .map(|&t| i32::from(matches(t, s)) - i32::from(matches(t, r)))
                    .collect();
                !clearly_worse(&lead, identity_tolerance(measures[s].likeness))
            })
            .min_by(|&x, &y| {
                prior[y]
                    .total_cmp(&prior[x])
                    .then_with(|| date_order(date(x), date(y)))
                    .then_with(|| sources[x].source.id.cmp(&sources[y].source.id))
                    .then(x.cmp(&y))
            });
        if let Some(r) = closest {
            for &t in &owned[s] {
                owner[t] = passage_of(t, r).map(|c| c.0);
            }
        }
    }
}

/// Whether a runner-up is clearly worse than the source the segmentation chose over the
/// words it would take from it, given `lead`: for each of those words in target order, 1
/// where only the source aligns it to an identical word, -1 where only the runner-up does, 0
/// otherwise. Clearly worse when over all the words the source leads by more than
/// `tolerance × words` (the runner-up is not as close word for word), or when more than
/// [`SWITCH_COST`] consecutive words are matched by the source and not by the runner-up (a
/// clause the target has and the runner-up lacks). Other wording scattered over the words,
/// a word here and a word there, is not a clause.
pub(crate) fn clearly_worse(lead: &[i32], tolerance: f64) -> bool {
    let total: i32 = lead.iter().sum();
    if f64::from(total) > tolerance * lead.len() as f64 {
        return true;
    }
    let mut run = 0;
    for &l in lead {
        run = if l > 0 { run + 1 } else { 0 };
        if run as f64 > SWITCH_COST {
            return true;
        }
    }
    false
}

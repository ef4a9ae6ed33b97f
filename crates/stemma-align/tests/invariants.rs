//! Property tests: spans are exact and alignment is deterministic and symmetric enough.

use proptest::prelude::*;
use stemma_align::{align, CompareOptions, Passage};
use stemma_text::analyze;

const WORDS: &[&str] = &[
    "license",
    "copy",
    "program",
    "Straße",
    "naïve",
    "свобода",
    "программа",
    "ελευθερία",
    "東京",
    "données",
    "software",
    "freedom",
    "the",
    "of",
    "and",
    "distribute",
    "modify",
    "warranty",
    "source",
    "code",
    "work",
    "terms",
    "conditions",
    "éditeur",
    "работа",
];

fn words(indices: &[usize]) -> String {
    let mut text = String::new();
    for (k, &i) in indices.iter().enumerate() {
        text.push_str(WORDS[i % WORDS.len()]);
        text.push_str(match k % 11 {
            3 => ", ",
            10 => ". ",
            7 => "\n",
            _ => " ",
        });
    }
    text
}

fn check_spans(text: &str, span: stemma_align::Span) -> Result<(), TestCaseError> {
    prop_assert!(span.start < span.end && span.end <= text.len());
    prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
    Ok(())
}

fn check_passage(a: &str, b: &str, p: &Passage) -> Result<(), TestCaseError> {
    check_spans(a, p.a)?;
    check_spans(b, p.b)?;
    for d in &p.a_diffs {
        check_spans(a, *d)?;
        prop_assert!(p.a.start <= d.start && d.end <= p.a.end);
    }
    for d in &p.b_diffs {
        check_spans(b, *d)?;
        prop_assert!(p.b.start <= d.start && d.end <= p.b.end);
    }
    prop_assert!((0.0..=1.0).contains(&p.identity));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn planted_passage_is_found_with_exact_spans(
        prefix_a in proptest::collection::vec(0usize..1000, 0..80),
        prefix_b in proptest::collection::vec(0usize..1000, 0..80),
        shared in proptest::collection::vec(0usize..100_000, 40..120),
        suffix in proptest::collection::vec(0usize..1000, 0..40),
    ) {
        // The shared passage uses distinct made-up words so that it is unique in both texts.
        let shared_text: String = shared.iter().map(|i| format!("w{i} ")).collect();
        let a = format!("{}{}{}", words(&prefix_a), shared_text, words(&suffix));
        let b = format!("{}{}", words(&prefix_b), shared_text);
        let passages = align(&analyze(&a), &analyze(&b), &CompareOptions::default());
        for p in &passages {
            check_passage(&a, &b, p)?;
        }
        let start_a = words(&prefix_a).len();
        let start_b = words(&prefix_b).len();
        let found = passages.iter().any(|p| {
            p.a.start <= start_a + 1 && p.a.end + 1 >= start_a + shared_text.trim_end().len()
                && p.b.start <= start_b + 1
        });
        prop_assert!(found, "planted passage not found: {passages:?}");
    }

    #[test]
    fn arbitrary_text_gives_valid_spans(a in "\\PC{0,400}", b in "\\PC{0,400}") {
        let passages = align(&analyze(&a), &analyze(&b), &CompareOptions::default());
        for p in &passages {
            check_passage(&a, &b, p)?;
        }
    }

    #[test]
    fn deterministic_across_thread_counts(
        text in proptest::collection::vec(0usize..40, 100..300),
        cut in 10usize..90,
    ) {
        let a = words(&text);
        let b = words(&text[cut..]);
        let (aa, ba) = (analyze(&a), analyze(&b));
        let options = CompareOptions::default();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap()
            .install(|| align(&aa, &ba, &options));
        let many = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap()
            .install(|| align(&aa, &ba, &options));
        prop_assert_eq!(one, many);
    }
}

#[test]
fn identical_documents_are_one_verbatim_passage() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/GPL-2.txt"
    ))
    .unwrap();
    let analysis = analyze(&text);
    let passages = align(&analysis, &analysis, &CompareOptions::default());
    assert_eq!(passages.len(), 1, "{passages:?}");
    let p = &passages[0];
    assert_eq!(p.kind, stemma_align::PassageKind::Verbatim);
    assert_eq!(p.a, p.b);
    assert_eq!(p.a_tokens, analysis.tokens.len());
}

#[test]
fn reordered_sentences_stay_one_passage() {
    let sentences = [
        "The licenses for most software are designed to take away your freedom to share and change it.",
        "By contrast, the General Public License is intended to guarantee your freedom to share and change free software.",
        "This General Public License applies to most of the Free Software Foundation's software.",
        "When we speak of free software, we are referring to freedom, not price.",
        "To protect your rights, we need to make restrictions that forbid anyone to deny you these rights.",
    ];
    let filler_a = "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse. ";
    let filler_b = "Emma Woodhouse, handsome, clever, and rich, with a comfortable home and happy disposition. ";
    let a = format!("{filler_a}{} {filler_a}", sentences.join(" "));
    let reordered = [3, 0, 4, 2, 1].map(|i| sentences[i]).join(" ");
    let b = format!("{filler_b}{reordered} {filler_b}");
    let passages = align(&analyze(&a), &analyze(&b), &CompareOptions::default());
    assert_eq!(passages.len(), 1, "{passages:#?}");
    let p = &passages[0];
    assert_eq!(
        &a[p.a.start..p.a.end],
        sentences.join(" ").trim_end_matches('.')
    );
    assert_eq!(&b[p.b.start..p.b.end], reordered.trim_end_matches('.'));
}

/// Plants `shared` between unrelated fillers and checks it is found with exact spans.
fn planted_is_found(filler_a: &str, filler_b: &str, shared: &str, edited: &str) {
    let a = format!("{filler_a}\n\n{shared}\n\n{filler_a}");
    let b = format!("{filler_b}\n\n{edited}\n\n{filler_b}");
    let passages = align(&analyze(&a), &analyze(&b), &CompareOptions::default());
    assert_eq!(passages.len(), 1, "{passages:#?}");
    let p = &passages[0];
    let (start_a, start_b) = (filler_a.len() + 2, filler_b.len() + 2);
    assert!(
        p.a.start >= start_a && p.a.end <= start_a + shared.len(),
        "{p:?}"
    );
    assert!(
        p.b.start >= start_b && p.b.end <= start_b + edited.len(),
        "{p:?}"
    );
    // Most of the planted text is inside the passage.
    assert!(p.a.len() * 10 >= shared.len() * 8, "{p:?}");
    assert!(p.b.len() * 10 >= edited.len() * 8, "{p:?}");
}

#[test]
fn cyrillic_with_edits() {
    planted_is_found(
        "Москва — столица России, город федерального значения, административный центр \
         Центрального федерального округа и центр Московской области.",
        "Погода завтра будет солнечной, без осадков, ветер северо-западный, умеренный, \
         температура воздуха днём около двадцати градусов.",
        "Все люди рождаются свободными и равными в своем достоинстве и правах. Они наделены \
         разумом и совестью и должны поступать в отношении друг друга в духе братства. \
         Каждый человек должен обладать всеми правами и всеми свободами, провозглашенными \
         настоящей Декларацией, без какого бы то ни было различия.",
        "Все люди рождаются свободными и равными в достоинстве и правах своих. Они наделены \
         разумом и совестью и обязаны поступать в отношении друг друга в духе братства. \
         Каждый человек должен обладать всеми правами и свободами, провозглашенными \
         этой Декларацией, без какого бы то ни было различия.",
    );
}

#[test]
fn greek_with_accents() {
    planted_is_found(
        "Η Αθήνα είναι η πρωτεύουσα και μεγαλύτερη πόλη της Ελλάδας, με μακρά ιστορία.",
        "Ο καιρός αύριο θα είναι ηλιόλουστος με ασθενείς ανέμους στα νότια.",
        "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα. \
         Είναι προικισμένοι με λογική και συνείδηση, και οφείλουν να συμπεριφέρονται μεταξύ \
         τους με πνεύμα αδελφοσύνης.",
        "ΌΛΟΙ ΟΙ ΆΝΘΡΩΠΟΙ γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα. \
         Είναι προικισμένοι με λογική και συνείδηση, και οφείλουν να συμπεριφέρονται μεταξύ \
         τους με πνεύμα αδελφοσύνης.",
    );
}

#[test]
fn cjk_text() {
    planted_is_found(
        "東京は日本の首都であり、世界有数の大都市である。多くの人々が毎日電車で通勤している。",
        "今日は天気が良いので、公園で散歩をしました。桜の花がとてもきれいでした。",
        "人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。\
         人人有资格享有本宣言所载的一切权利和自由，不分种族、肤色、性别、语言、宗教。",
        "人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。\
         人人都有资格享受本宣言所载的一切权利和自由，不分种族、肤色、性别、语言、宗教。",
    );
}

#[test]
fn latin_accents_fold_case_and_width() {
    planted_is_found(
        "Le temps sera ensoleillé demain sur l'ensemble du territoire, avec des vents faibles.",
        "La bourse de Paris a terminé la séance en légère hausse après une matinée hésitante.",
        "Considérant que la reconnaissance de la dignité inhérente à tous les membres de la \
         famille humaine et de leurs droits égaux et inaliénables constitue le fondement de la \
         liberté, de la justice et de la paix dans le monde.",
        "CONSIDÉRANT QUE LA RECONNAISSANCE de la dignité inhérente à tous les membres de la \
         famille humaine et de leurs droits égaux et inaliénables constitue le fondement de la \
         liberté, de la justice et de la paix dans le monde.",
    );
}

#[test]
fn a_short_text_held_whole_is_a_passage() {
    // Tiny licences (SPDX diffmark, any-OSI) are shorter than the minimum passage: held
    // whole by another text, they are still found, with exact spans.
    let notices = [
        "1. you can do what you want with it\n2. I refuse any responsibility for the consequences",
        "Pick your favourite OSI approved license :)\n\nhttp://www.opensource.org/licenses/alphabetical",
    ];
    for notice in notices {
        let readme = format!(
            "FooDB License\n\n{notice}\n\nBlue Heron Software may publish revised versions of \
             this license from time to time."
        );
        let (a, b) = (analyze(notice), analyze(&readme));
        let passages = align(&a, &b, &CompareOptions::default());
        assert_eq!(passages.len(), 1, "{notice}: {passages:?}");
        check_passage(notice, &readme, &passages[0]).unwrap();
        assert_eq!(
            &notice[passages[0].a.start..passages[0].a.end],
            notice.trim_end()
        );
    }
    // A few of those words in longer texts are not a passage: neither text is held whole.
    let a = format!(
        "{} you can do what you want with it, they said. {}",
        "The committee met on Monday to discuss the harbour and the ferry timetable.",
        "Fishing boats left at dawn and came back with little."
    );
    let b = format!(
        "{} you can do what you want with it. {}",
        "Spring planting began late this year after weeks of cold rain in the valley.",
        "Prices at the market rose for the third week running."
    );
    assert!(align(&analyze(&a), &analyze(&b), &CompareOptions::default()).is_empty());
}

//! Property tests of the risk model: the invariants listed in shared/SCORING.md.

use proptest::prelude::*;
use scoring::{
    Evidence, ExposureLabel, Factors, Level, ScoringError, Task, TaskType, assess, task_exposure,
};

fn label() -> impl Strategy<Value = ExposureLabel> {
    prop_oneof![
        Just(ExposureLabel::E0),
        Just(ExposureLabel::E1),
        Just(ExposureLabel::E2)
    ]
}

fn task_type() -> impl Strategy<Value = Option<TaskType>> {
    prop_oneof![
        Just(None),
        Just(Some(TaskType::Core)),
        Just(Some(TaskType::Supplemental))
    ]
}

fn task() -> impl Strategy<Value = Task> {
    (proptest::option::of(label()), task_type()).prop_map(|(label, task_type)| Task {
        label,
        task_type,
        time_share: None,
    })
}

fn tasks_with_shares() -> impl Strategy<Value = Vec<Task>> {
    prop::collection::vec((label(), task_type(), 0.01f64..100.0), 1..20).prop_map(|v| {
        v.into_iter()
            .map(|(l, t, s)| Task {
                label: Some(l),
                task_type: t,
                time_share: Some(s),
            })
            .collect()
    })
}

fn factors() -> impl Strategy<Value = Factors> {
    (1..=10i32, 1..=10i32, 1..=10i32).prop_map(|(r, a, j)| Factors {
        repetitiveness: r,
        ai_adoption: a,
        human_judgment: j,
    })
}

fn evidence() -> impl Strategy<Value = Evidence> {
    (
        prop::collection::vec(task(), 0..20),
        proptest::option::of(factors()),
    )
        .prop_filter("needs some evidence", |(tasks, f)| {
            f.is_some() || tasks.iter().any(|t| t.label.is_some())
        })
        .prop_map(|(tasks, factors)| Evidence { tasks, factors })
}

proptest! {
    #[test]
    fn score_is_within_0_and_100_and_level_matches(e in evidence()) {
        let a = assess(&e).expect("valid evidence");
        prop_assert!(a.score <= 100);
        prop_assert_eq!(a.level, Level::from_score(a.score));
        prop_assert!((0.0..=1.0).contains(&a.coverage));
    }

    #[test]
    fn contributions_add_up_to_the_score(e in evidence()) {
        let a = assess(&e).expect("valid evidence");
        let sum: u32 = a.contributions.iter().map(|c| u32::from(c.points)).sum();
        prop_assert_eq!(sum, u32::from(a.score));
        let exact: f64 = a.contributions.iter().map(|c| c.exact).sum();
        prop_assert!((exact - a.exact_score).abs() < 1e-9);
    }

    #[test]
    fn score_rises_with_repetitiveness_and_adoption_and_falls_with_judgment(
        tasks in prop::collection::vec(task(), 0..12),
        f in factors(),
    ) {
        let score = |f: Factors| assess(&Evidence { tasks: tasks.clone(), factors: Some(f) })
            .expect("valid").exact_score;
        let base = score(f);
        let up = |x: i32| (x + 1).min(10);
        let more_rep = score(Factors { repetitiveness: up(f.repetitiveness), ..f });
        let more_ai = score(Factors { ai_adoption: up(f.ai_adoption), ..f });
        let more_judgment = score(Factors { human_judgment: up(f.human_judgment), ..f });
        if f.repetitiveness < 10 {
            prop_assert!(more_rep > base);
        }
        if f.ai_adoption < 10 {
            prop_assert!(more_ai > base);
        }
        if f.human_judgment < 10 {
            prop_assert!(more_judgment < base);
        }
        // The integer score never moves the wrong way either.
        let int = |f: Factors| assess(&Evidence { tasks: tasks.clone(), factors: Some(f) })
            .expect("valid").score;
        let (int_base, int_ai, int_judgment) = (
            int(f),
            int(Factors { ai_adoption: up(f.ai_adoption), ..f }),
            int(Factors { human_judgment: up(f.human_judgment), ..f }),
        );
        prop_assert!(int_ai >= int_base);
        prop_assert!(int_judgment <= int_base);
    }

    #[test]
    fn all_e1_tasks_give_task_index_100_and_all_e0_give_0(
        types in prop::collection::vec(task_type(), 1..20),
    ) {
        let with = |l: ExposureLabel| -> Vec<Task> {
            types.iter().map(|&t| Task { label: Some(l), task_type: t, time_share: None }).collect()
        };
        let e1 = task_exposure(&with(ExposureLabel::E1)).expect("valid").expect("labelled");
        prop_assert_eq!(100.0 * e1.beta, 100.0);
        let e0 = task_exposure(&with(ExposureLabel::E0)).expect("valid").expect("labelled");
        prop_assert_eq!(100.0 * e0.beta, 0.0);
        prop_assert_eq!(assess(&Evidence { tasks: with(ExposureLabel::E1), factors: None })
            .expect("valid").score, 100);
        prop_assert_eq!(assess(&Evidence { tasks: with(ExposureLabel::E0), factors: None })
            .expect("valid").score, 0);
    }

    #[test]
    fn scaling_every_time_share_changes_nothing(
        tasks in tasks_with_shares(),
        k in 0.001f64..1000.0,
        f in proptest::option::of(factors()),
    ) {
        let scaled: Vec<Task> = tasks.iter().map(|t| Task {
            time_share: t.time_share.map(|s| s * k), ..t.clone()
        }).collect();
        let a = assess(&Evidence { tasks, factors: f }).expect("valid");
        let b = assess(&Evidence { tasks: scaled, factors: f }).expect("valid");
        prop_assert_eq!(a.score, b.score);
        prop_assert!((a.exact_score - b.exact_score).abs() < 1e-9);
        prop_assert!((a.coverage - b.coverage).abs() < 1e-12);
    }

    #[test]
    fn levels_change_exactly_at_25_50_75(score in 0u8..=100) {
        let expected = if score < 25 { Level::Low } else if score < 50 { Level::Moderate }
            else if score < 75 { Level::High } else { Level::VeryHigh };
        prop_assert_eq!(Level::from_score(score), expected);
    }

    #[test]
    fn a_factor_outside_1_to_10_is_an_error_naming_it(
        f in factors(),
        bad in prop_oneof![i32::MIN..=0, 11..=i32::MAX],
        which in 0usize..3,
    ) {
        let (mut f2, field) = (f, ["factors.repetitiveness", "factors.aiAdoption", "factors.humanJudgment"][which]);
        match which {
            0 => f2.repetitiveness = bad,
            1 => f2.ai_adoption = bad,
            _ => f2.human_judgment = bad,
        }
        let err = assess(&Evidence { tasks: vec![], factors: Some(f2) }).expect_err("out of range");
        prop_assert_eq!(err, ScoringError::FactorOutOfRange { field, value: bad });
    }

    #[test]
    fn a_negative_share_is_an_error_naming_the_task(
        mut tasks in tasks_with_shares(),
        bad in -1e9f64..-1e-9,
        idx in any::<prop::sample::Index>(),
    ) {
        let i = idx.index(tasks.len());
        tasks[i].time_share = Some(bad);
        let err = assess(&Evidence { tasks, factors: None }).expect_err("negative share");
        prop_assert!(
            matches!(err, ScoringError::InvalidTimeShare { index, .. } if index == i),
            "unexpected {:?}", err
        );
    }

    #[test]
    fn an_unknown_label_is_an_error(s in "[A-Za-z0-9]{0,4}") {
        let parsed = s.parse::<ExposureLabel>();
        if ["E0", "E1", "E2"].contains(&s.as_str()) {
            prop_assert!(parsed.is_ok());
        } else {
            let is_unknown = matches!(parsed, Err(ScoringError::UnknownLabel { .. }));
            prop_assert!(is_unknown);
        }
    }
}

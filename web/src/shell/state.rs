//! The shell's UI state as one value with named transitions (Yew's `use_reducer`): whether the
//! run plays and how fast, the open node menu and help, the messages banner, the fork marker,
//! the last API request and the share link. The playground itself is not here: it lives in an
//! `Rc<RefCell<Playground>>` that the run loop advances every frame.

use std::rc::Rc;

use syncsim_core::sim::Time;
use yew::prelude::*;

use super::speed::DEFAULT_INDEX;
use crate::panels::api::Sent;

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    /// Problems to show in the banner (bad URL parameters, refused actions…).
    pub messages: Vec<String>,
    pub playing: bool,
    pub speed_index: usize,
    /// The node whose menu is open.
    pub menu: Option<usize>,
    pub help: bool,
    /// Where the last action in the past forked the timeline (shown on the time bar).
    pub forked_at: Option<Time>,
    /// What the user last sent from the console or the locks form.
    pub last_sent: Option<Sent>,
    pub share_url: Option<String>,
    /// Playing stops at this virtual time (a tour step being watched again).
    pub stop_at: Option<Time>,
}

impl AppState {
    /// Paused, at the default speed, showing `messages`.
    pub fn new(messages: Vec<String>) -> Self {
        AppState {
            messages,
            playing: false,
            speed_index: DEFAULT_INDEX,
            menu: None,
            help: false,
            forked_at: None,
            last_sent: None,
            share_url: None,
            stop_at: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum AppAction {
    /// Adds a message to the banner.
    Report(String),
    /// Empties the banner.
    Dismiss,
    /// Play ↔ pause; either way the fork marker goes.
    TogglePlay,
    /// One step: stops playing.
    Step,
    /// The time bar moved to another moment: stops playing and drops the fork marker.
    Seek,
    /// An action in the past forked the timeline at this time.
    Forked(Time),
    /// A new playground replaced the old one (seed, nodes or network changed).
    Rebuilt,
    Sent(Sent),
    SetSpeed(usize),
    SetMenu(Option<usize>),
    ToggleHelp,
    SetHelp(bool),
    /// Escape: closes help and the node menu.
    CloseOverlays,
    Shared(String),
    /// Play until this virtual time, then stop (watching a tour step again).
    PlayUntil(Time),
    /// The run loop reached `stop_at`.
    Stopped,
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let mut s = Rc::unwrap_or_clone(self);
        match action {
            AppAction::Report(text) => s.messages.push(text),
            AppAction::Dismiss => s.messages.clear(),
            AppAction::TogglePlay => {
                s.forked_at = None;
                s.playing = !s.playing;
                s.stop_at = None;
            }
            AppAction::Step => {
                s.playing = false;
                s.stop_at = None;
            }
            AppAction::Seek => {
                s.playing = false;
                s.forked_at = None;
                s.stop_at = None;
            }
            AppAction::PlayUntil(t) => {
                s.forked_at = None;
                s.playing = true;
                s.stop_at = Some(t);
            }
            AppAction::Stopped => {
                s.playing = false;
                s.stop_at = None;
            }
            AppAction::Forked(at) => s.forked_at = Some(at),
            AppAction::Rebuilt => {
                s.forked_at = None;
                s.last_sent = None;
                s.menu = None;
            }
            AppAction::Sent(sent) => s.last_sent = Some(sent),
            AppAction::SetSpeed(index) => s.speed_index = index,
            AppAction::SetMenu(menu) => s.menu = menu,
            AppAction::ToggleHelp => s.help = !s.help,
            AppAction::SetHelp(open) => s.help = open,
            AppAction::CloseOverlays => {
                s.help = false;
                s.menu = None;
            }
            AppAction::Shared(url) => s.share_url = Some(url),
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(state: AppState, actions: impl IntoIterator<Item = AppAction>) -> AppState {
        let state = actions.into_iter().fold(Rc::new(state), |s, a| s.reduce(a));
        Rc::unwrap_or_clone(state)
    }

    fn sent() -> Sent {
        Sent::Rejected {
            line: "GET /nope".into(),
            status: 404,
            message: "not found".into(),
        }
    }

    #[test]
    fn starts_paused_at_the_default_speed_with_the_startup_messages() {
        let s = AppState::new(vec!["bad seed".into()]);
        assert!(!s.playing && !s.help);
        assert_eq!(s.speed_index, DEFAULT_INDEX);
        assert_eq!(s.messages, ["bad seed"]);
        assert_eq!(
            (s.menu, s.forked_at, s.last_sent, s.share_url),
            (None, None, None, None)
        );
    }

    #[test]
    fn play_until_plays_then_stops_and_any_other_control_forgets_the_stop() {
        let s = after(AppState::new(vec![]), [AppAction::PlayUntil(5)]);
        assert!(s.playing);
        assert_eq!(s.stop_at, Some(5));
        let stopped = after(s.clone(), [AppAction::Stopped]);
        assert!(!stopped.playing);
        assert_eq!(stopped.stop_at, None);
        for a in [AppAction::TogglePlay, AppAction::Step, AppAction::Seek] {
            assert_eq!(after(s.clone(), [a]).stop_at, None);
        }
    }

    #[test]
    fn reports_accumulate_until_dismissed() {
        let s = after(
            AppState::new(vec!["a".into()]),
            [AppAction::Report("b".into()), AppAction::Report("c".into())],
        );
        assert_eq!(s.messages, ["a", "b", "c"]);
        assert!(after(s, [AppAction::Dismiss]).messages.is_empty());
    }

    #[test]
    fn play_toggles_and_clears_the_fork_marker() {
        let s = after(
            AppState::new(vec![]),
            [AppAction::Forked(7), AppAction::TogglePlay],
        );
        assert!(s.playing);
        assert_eq!(s.forked_at, None);
        let s = after(s, [AppAction::Forked(9), AppAction::TogglePlay]);
        assert!(!s.playing);
        assert_eq!(s.forked_at, None);
    }

    #[test]
    fn step_pauses_but_keeps_the_fork_marker() {
        let s = after(
            AppState::new(vec![]),
            [AppAction::TogglePlay, AppAction::Forked(5), AppAction::Step],
        );
        assert!(!s.playing);
        assert_eq!(s.forked_at, Some(5));
    }

    #[test]
    fn seeking_pauses_and_clears_the_fork_marker() {
        let s = after(
            AppState::new(vec![]),
            [AppAction::TogglePlay, AppAction::Forked(5), AppAction::Seek],
        );
        assert!(!s.playing);
        assert_eq!(s.forked_at, None);
    }

    #[test]
    fn a_rebuild_forgets_what_belonged_to_the_old_playground_only() {
        let s = after(
            AppState::new(vec![]),
            [
                AppAction::TogglePlay,
                AppAction::SetSpeed(3),
                AppAction::Forked(5),
                AppAction::Sent(sent()),
                AppAction::SetMenu(Some(2)),
                AppAction::SetHelp(true),
                AppAction::Report("x".into()),
                AppAction::Shared("http://x/?run=1".into()),
                AppAction::Rebuilt,
            ],
        );
        assert_eq!(
            (s.forked_at, s.last_sent.clone(), s.menu),
            (None, None, None)
        );
        assert!(s.playing && s.help);
        assert_eq!(s.speed_index, 3);
        assert_eq!(s.messages, ["x"]);
        assert_eq!(s.share_url.as_deref(), Some("http://x/?run=1"));
    }

    #[test]
    fn sent_and_shared_are_remembered() {
        let s = after(
            AppState::new(vec![]),
            [AppAction::Sent(sent()), AppAction::Shared("u".into())],
        );
        assert_eq!(s.last_sent, Some(sent()));
        assert_eq!(s.share_url.as_deref(), Some("u"));
    }

    #[test]
    fn help_and_menu_open_and_escape_closes_both() {
        let s = after(AppState::new(vec![]), [AppAction::ToggleHelp]);
        assert!(s.help);
        assert!(!after(s.clone(), [AppAction::ToggleHelp]).help);
        let s = after(s, [AppAction::SetMenu(Some(1))]);
        assert_eq!(s.menu, Some(1));
        let s = after(s, [AppAction::CloseOverlays]);
        assert!(!s.help);
        assert_eq!(s.menu, None);
        assert!(
            !after(
                AppState::new(vec![]),
                [AppAction::SetHelp(true), AppAction::SetHelp(false)]
            )
            .help
        );
    }
}

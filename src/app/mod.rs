//! The game window: Bevy and bevy_egui over the engine and the records. Only this folder imports
//! Bevy; it plays calls through the same `Session` API that the command line and the tests use.
//!
//! Two plugins: `WindowPlugins` is the machinery (Bevy's window and renderer, egui, the theme,
//! redrawing only on change), and `DealsimPlugin` is the game (the library, the call, the
//! records, the screens), which the headless tests add over `MinimalPlugins` as it is.

pub mod author;
#[cfg(feature = "dev")]
pub mod dev;
pub mod playing;
pub mod records;
pub mod reps;
pub mod scenarios;
pub mod screens;
mod stop;
pub mod team_library;
pub mod theme;
pub mod trainer;
mod warmup;

use bevy::prelude::*;
use bevy::window::WindowResizeConstraints;
use bevy::winit::WinitSettings;
use bevy_egui::{
    EguiContexts, EguiInput, EguiPlugin, EguiPreUpdateSet, EguiPrimaryContextPass, egui,
};
use std::collections::HashMap;
use std::path::PathBuf;

/// The screens, one state each.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    /// The rep types or picks their name.
    #[default]
    Start,
    /// The scenarios as cards.
    Library,
    /// A call in progress.
    Call,
    /// What happened and what good looks like.
    Debrief,
    /// Every rep's sessions, trends, the team, the scenarios, replays and the LRS.
    Trainer,
    /// A manager's view of a scenario file: its map, problems, a node's details, playtests.
    Author,
}

/// Where the window finds its files.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub scenarios_dir: PathBuf,
    pub assets_dir: PathBuf,
    pub profiles_path: PathBuf,
    /// The session database.
    pub db_path: PathBuf,
    /// Settings shared with the command line (the LRS, xAPI names).
    pub config: crate::records::config::Config,
}

/// The folder of portraits and other assets, as the window was started with.
#[derive(Resource, Debug, Clone)]
pub struct AssetsDir(pub PathBuf);

/// Runs the window until it closes. `more` adds to the app before it runs (the dev tools' demo).
pub fn run(options: AppOptions, more: impl FnOnce(&mut App)) -> std::process::ExitCode {
    let mut app = App::new();
    // The scenarios folder is an asset source, which must be known before the asset plugin.
    app.add_plugins(scenarios::ScenarioSourcePlugin {
        folder: options.scenarios_dir.clone(),
    })
    .add_plugins(WindowPlugins {
        assets_dir: options.assets_dir.clone(),
    })
    .add_plugins(DealsimPlugin { options });
    more(&mut app);
    match app.run() {
        AppExit::Success => std::process::ExitCode::SUCCESS,
        AppExit::Error(code) => std::process::ExitCode::from(code.get()),
    }
}

/// The game: the rep at the keyboard, the session records, the scenario library, the call and
/// every screen. It needs the asset and state plugins (`WindowPlugins` brings them in the
/// window, `MinimalPlugins`, `AssetPlugin` and `StatesPlugin` in a headless test), and the
/// scenarios folder registered first (`scenarios::ScenarioSourcePlugin`).
pub struct DealsimPlugin {
    pub options: AppOptions,
}

/// The window's machinery: Bevy's window, renderer and input, egui and the theme, without the
/// plugins egui makes unnecessary, drawing only on input and change.
pub struct WindowPlugins {
    pub assets_dir: PathBuf,
}

/// UI systems run in this order each frame: style, then the screen.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum UiSystems {
    Style,
    Screens,
}

impl Plugin for DealsimPlugin {
    fn build(&self, app: &mut App) {
        let options = &self.options;
        let log = records::SessionLog::open(options.db_path.clone(), options.config.clone());
        let mut reps = reps::Reps::open(options.profiles_path.clone());
        let worker = records::DbWorker::start(options.db_path.clone());
        // A machine set up for one rep (`config.rep`): they practise as that account, whose
        // login their statements carry.
        if let Some(identity) = options.config.rep.clone() {
            if reps.current != identity.name {
                reps.sign_in(&identity.name);
            }
            drop(worker.submit(move |store| {
                store
                    .set_login(&identity.name, &identity.login)
                    .map_err(|e| e.to_string())
            }));
        }
        app.insert_resource(AssetsDir(options.assets_dir.clone()))
            .insert_resource(reps)
            .insert_resource(worker)
            .insert_resource(team_library::TeamLibrary::new(
                options.config.library.clone(),
            ))
            .insert_resource(log)
            .init_resource::<records::RepProgress>()
            .init_state::<Screen>()
            .configure_sets(
                EguiPrimaryContextPass,
                (UiSystems::Style, UiSystems::Screens).chain(),
            )
            .add_plugins((
                scenarios::ScenarioLibraryPlugin,
                playing::CallPlugin,
                records::plugin,
                screens::plugin,
                trainer::plugin,
                author::plugin,
                team_library::plugin,
            ));
    }
}

impl Plugin for WindowPlugins {
    fn build(&self, app: &mut App) {
        app.add_plugins(
            DefaultPlugins
                .set(AssetPlugin {
                    file_path: scenarios::absolute(&self.assets_dir)
                        .to_string_lossy()
                        .into_owned(),
                    watch_for_changes_override: Some(true),
                    ..default()
                })
                .set(WindowPlugin {
                    primary_window: Some(Window {
                        title: "dealsim: practise sales calls".into(),
                        resolution: bevy::window::WindowResolution::new(1280, 720),
                        resize_constraints: WindowResizeConstraints {
                            min_width: theme::MIN_SIZE.x,
                            min_height: theme::MIN_SIZE.y,
                            ..default()
                        },
                        ..default()
                    }),
                    ..default()
                })
                // egui draws every screen: Bevy's UI rendering, sprite, gizmo, animation and
                // post-processing plugins would only add systems to every frame.
                .disable::<bevy::animation::AnimationPlugin>()
                .disable::<bevy::gizmos::GizmoPlugin>()
                .disable::<bevy::gizmos_render::GizmoRenderPlugin>()
                .disable::<bevy::post_process::PostProcessPlugin>()
                .disable::<bevy::sprite_render::SpriteRenderPlugin>()
                .disable::<bevy::ui_render::UiRenderPlugin>(),
        )
        .add_plugins(EguiPlugin::default())
        .add_plugins(warmup::plugin)
        .add_plugins(stop::plugin)
        // A desktop app: redraw on input and change only, so an idle window costs nothing. What
        // changes without input wakes the window itself (the workers' answers, the scenarios
        // folder, the team's library), so the loop need not wake every 5 s as `desktop_app`
        // does: each wake is a full frame, 2.4% of a core idle in a debug build under Xvfb.
        .insert_resource(WinitSettings {
            focused_mode: bevy::winit::UpdateMode::reactive(std::time::Duration::from_secs(60)),
            unfocused_mode: bevy::winit::UpdateMode::reactive_low_power(
                std::time::Duration::from_secs(60),
            ),
        })
        .insert_resource(ClearColor(Color::srgb_u8(0x12, 0x18, 0x29)))
        .add_systems(Startup, spawn_camera)
        .add_systems(
            PreUpdate,
            quiet_unchanged_modifiers
                .after(EguiPreUpdateSet::ProcessInput)
                .before(EguiPreUpdateSet::BeginPass),
        )
        .add_systems(EguiPrimaryContextPass, style_ui.in_set(UiSystems::Style));
    }

    /// Runs every schedule's systems on one thread. A frame here is many small systems and one
    /// egui pass; handing them to the task pool's threads cost more in wake-ups and context
    /// switches than the systems themselves: 3 ms of CPU per call-screen frame on the pool's
    /// threads, and a main-world update of 6 to 10 ms wall against 1 ms now (BENCHMARKS.md).
    fn finish(&self, app: &mut App) {
        for sub_app in app.sub_apps_mut().iter_mut() {
            if let Some(mut schedules) = sub_app.world_mut().get_resource_mut::<Schedules>() {
                for (_, schedule) in schedules.iter_mut() {
                    schedule.set_executor(bevy::ecs::schedule::SingleThreadedExecutor::new());
                }
            }
        }
    }
}

/// bevy_egui 0.42 reports the keyboard modifiers to egui as a new event every frame, and egui
/// repaints at once after any event, so a window meant to redraw only on change would redraw
/// forever (about 1.6 cores on a software renderer). The event is passed on only when the
/// modifiers really change.
fn quiet_unchanged_modifiers(
    mut inputs: Query<(Entity, &mut EguiInput)>,
    mut last: Local<HashMap<Entity, egui::Modifiers>>,
) {
    for (entity, mut input) in &mut inputs {
        let mut latest = None;
        input.0.events.retain(|event| match event {
            egui::Event::ModifiersChanged(modifiers) => {
                latest = Some(*modifiers);
                false
            }
            _ => true,
        });
        // egui keeps the modifiers from pass to pass, so only a change needs telling.
        if let Some(modifiers) = latest
            && last.insert(entity, modifiers) != Some(modifiers)
        {
            input
                .0
                .events
                .push(egui::Event::ModifiersChanged(modifiers));
        }
    }
}

/// The camera only clears the window under egui's drawing, so it needs no multisampling. With
/// Bevy's default of four samples, the software renderer cleared and resolved a four-sample
/// target every frame: the scripted demo used 13 s of CPU with it and 8 s without.
fn spawn_camera(mut commands: Commands) {
    commands.spawn((Camera2d, Msaa::Off));
}

/// Applies the theme once, scales the design to fit the window in both dimensions at the rep's
/// text size, and takes Ctrl+= / Ctrl+- / Ctrl+0 as the text-size setting (remembered).
fn style_ui(
    mut contexts: EguiContexts,
    windows: Query<&Window>,
    reps: Option<ResMut<reps::Reps>>,
    mut styled: Local<bool>,
    mut zoom: Local<f32>,
) -> Result {
    use bevy_egui::egui::gui_zoom::kb_shortcuts;
    let ctx = contexts.ctx_mut()?;
    if !*styled {
        theme::apply(ctx);
        // The zoom is ours to set: egui's own Ctrl+= would push the screens past the window.
        ctx.options_mut(|o| o.zoom_with_keyboard = false);
        *styled = true;
    }
    let mut text_size = reps.as_ref().map_or(1.0, |r| r.text_size());
    let step = ctx.input_mut(|i| {
        if i.consume_shortcut(&kb_shortcuts::ZOOM_RESET) {
            Some(0)
        } else if i.consume_shortcut(&kb_shortcuts::ZOOM_IN)
            || i.consume_shortcut(&kb_shortcuts::ZOOM_IN_SECONDARY)
        {
            Some(1)
        } else if i.consume_shortcut(&kb_shortcuts::ZOOM_OUT) {
            Some(-1)
        } else {
            None
        }
    });
    if let (Some(step), Some(mut reps)) = (step, reps) {
        text_size = if step == 0 {
            1.0
        } else {
            theme::step_text_size(text_size, step)
        };
        reps.set_text_size(text_size);
    }
    if let Some(window) = windows.iter().next() {
        // Points before egui's zoom: the window's logical size.
        let wanted = theme::zoom_for(window.width(), window.height(), text_size)
            .unwrap_or(theme::SMALLEST_ZOOM);
        if (wanted - *zoom).abs() > 0.001 {
            ctx.set_zoom_factor(wanted);
            *zoom = wanted;
        }
    }
    Ok(())
}

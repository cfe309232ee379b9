//! The game window: Bevy and bevy_egui over the engine. Only this folder imports Bevy; it plays
//! calls through the same `Session` API that the command line and the tests use.

pub mod demo;
pub mod playing;
pub mod records;
pub mod reps;
pub mod scenarios;
pub mod screens;
pub mod theme;
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
    pub config: crate::config::Config,
    /// A scripted run that takes a screenshot of each screen and exits.
    pub demo: Option<demo::DemoScript>,
}

/// Runs the window until it closes.
pub fn run(options: AppOptions) -> std::process::ExitCode {
    let mut app = App::new();
    app.add_plugins(DealsimPlugin { options });
    match app.run() {
        AppExit::Success => std::process::ExitCode::SUCCESS,
        AppExit::Error(code) => std::process::ExitCode::from(code.get()),
    }
}

/// The whole app: window, egui, the scenario library, the call, and the screens.
pub struct DealsimPlugin {
    pub options: AppOptions,
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
        app.add_plugins(scenarios::ScenarioSourcePlugin {
            folder: options.scenarios_dir.clone(),
        })
        .add_plugins(
            DefaultPlugins
                .set(AssetPlugin {
                    file_path: scenarios::absolute(&options.assets_dir)
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
        // A desktop app: redraw on input and change only, so an idle window costs nothing.
        .insert_resource(if options.demo.is_some() {
            WinitSettings::continuous()
        } else {
            WinitSettings::desktop_app()
        })
        .insert_resource(ClearColor(Color::srgb_u8(0x12, 0x18, 0x29)))
        .insert_resource(reps::Reps::open(options.profiles_path.clone()))
        .insert_resource(records::SessionLog::open(
            options.db_path.clone(),
            options.config.clone(),
        ))
        .init_state::<Screen>()
        .add_plugins((
            scenarios::ScenarioLibraryPlugin,
            playing::CallPlugin,
            screens::plugin,
        ))
        .configure_sets(
            EguiPrimaryContextPass,
            (UiSystems::Style, UiSystems::Screens).chain(),
        )
        .add_systems(Startup, spawn_camera)
        .add_systems(
            PreUpdate,
            quiet_unchanged_modifiers
                .after(EguiPreUpdateSet::ProcessInput)
                .before(EguiPreUpdateSet::BeginPass),
        )
        .add_systems(EguiPrimaryContextPass, style_ui.in_set(UiSystems::Style));
        if let Some(script) = &options.demo {
            app.add_plugins(demo::DemoPlugin {
                script: script.clone(),
            });
        }
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

/// Applies the theme once, and scales the design with the window's width.
fn style_ui(
    mut contexts: EguiContexts,
    windows: Query<&Window>,
    mut styled: Local<bool>,
    mut zoom: Local<f32>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    if !*styled {
        theme::apply(ctx);
        *styled = true;
    }
    if let Some(window) = windows.iter().next() {
        let wanted = theme::zoom_for(window.width());
        if (wanted - *zoom).abs() > 0.01 {
            ctx.set_zoom_factor(wanted);
            *zoom = wanted;
        }
    }
    Ok(())
}

//! The cluster drawing: servers, links and messages in SVG, the node menu and the legend.

mod legend;
mod node_menu;
mod view;

pub use legend::Legend;
pub use view::Cluster;

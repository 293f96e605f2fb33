//! What the engine takes from its JavaScript host when the module starts:
//! a clock, and somewhere to write a panic's message.

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// `performance.now()`: milliseconds, monotonic; a page and a
        /// worker both have it.
        #[wasm_bindgen(js_namespace = performance, js_name = now)]
        fn performance_now() -> f64;

        /// `console.error(message)`.
        #[wasm_bindgen(js_namespace = console, js_name = error)]
        fn console_error(message: &str);
    }

    /// Runs when the page instantiates the module.
    #[wasm_bindgen(start)]
    fn start() {
        // Training times and the profiler read the page's clock.
        sinapse_autograd::clock::set_host_clock(performance_now);
        // An operator's panic names the op and the shapes; without this the
        // page would only see "unreachable executed".
        std::panic::set_hook(Box::new(|info| console_error(&format!("sinapse: {info}"))));
    }
}

// Apache ECharts with only what the workbench draws (tree-shaken, canvas).
import { useEffect, useRef } from 'preact/hooks';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, ScatterChart, MapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent, GeoComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, ScatterChart, MapChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, GeoComponent, DataZoomComponent, CanvasRenderer]);
export { echarts };

export function Chart({ option, height = 320, label, testid }) {
  const el = useRef();
  const chart = useRef();
  useEffect(() => {
    chart.current = echarts.init(el.current, null, { renderer: 'canvas' });
    const ro = new ResizeObserver(() => chart.current && chart.current.resize());
    ro.observe(el.current);
    return () => { ro.disconnect(); chart.current.dispose(); chart.current = null; };
  }, []);
  useEffect(() => {
    if (chart.current && option) chart.current.setOption(option, true);
    if (el.current) el.current.__option = option;
  }, [option]);
  return <div class="chart" ref={el} style={{ height: height + 'px' }} role="img" aria-label={label} data-testid={testid} />;
}

// Record filters: grep, modify, nest, record_modifier, parser, rewrite_tag, throttle, multiline, lua, js.
import type { AnyFilterPlugin } from '../plugin.ts'

export const recordFilters: AnyFilterPlugin[] = []

// Record filters: grep, modify, nest, record_modifier, parser, rewrite_tag, throttle, multiline, lua, js.
import type { AnyFilterPlugin } from '../plugin.ts'
import grep from './grep/index.ts'
import lua from './lua/index.ts'
import modify from './modify/index.ts'
import nest from './nest/index.ts'
import recordModifier from './record-modifier/index.ts'

export const recordFilters: AnyFilterPlugin[] = [grep, modify, nest, recordModifier, lua]

// Record filters: grep, modify, nest, record_modifier, parser, rewrite_tag, throttle, multiline, lua, js.
import type { AnyFilterPlugin } from '../plugin.ts'
import grep from './grep/index.ts'
import js from './js/index.ts'
import lua from './lua/index.ts'
import modify from './modify/index.ts'
import multiline from './multiline/index.ts'
import nest from './nest/index.ts'
import parser from './parser/index.ts'
import recordModifier from './record-modifier/index.ts'
import rewriteTag from './rewrite-tag/index.ts'
import throttle from './throttle/index.ts'

export const recordFilters: AnyFilterPlugin[] = [
  grep,
  modify,
  nest,
  recordModifier,
  parser,
  rewriteTag,
  throttle,
  multiline,
  lua,
  js,
]

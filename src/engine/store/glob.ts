import { LicenseBackupError } from '../errors.js'

export const DEFAULT_PATTERN = '**/*.jwt'

/**
 * Compiles a store pattern to a RegExp over `/`-separated store-relative paths. Supports `**` (any number
 * of whole directories, including none), `*` (any run of characters within one name) and `?` (one
 * character within a name); everything else is literal. Dot files match like any other.
 */
export function globToRegExp(pattern: string): RegExp {
  if (pattern.length === 0 || pattern.startsWith('/') || pattern.split('/').includes('..')) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      `The store pattern ${JSON.stringify(pattern)} is not a relative glob inside the store; use something like "${DEFAULT_PATTERN}".`
    )
  }
  const segments = pattern.split('/')
  let source = ''
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1
    if (segment === '**') {
      source += last ? '.*' : '(?:[^/]+/)*'
      return
    }
    for (const char of segment) {
      if (char === '*') source += '[^/]*'
      else if (char === '?') source += '[^/]'
      else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')
    }
    if (!last) source += '/'
  })
  return new RegExp(`^${source}$`, 'u')
}

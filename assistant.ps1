# Quick start for the Nekpijn-assistent on Windows (what assistant.sh does on Linux).
#
#   powershell -ExecutionPolicy Bypass -File .\assistant.ps1              install whatever is missing,
#                                                                        then run a consultation
#   powershell -ExecutionPolicy Bypass -File .\assistant.ps1 test [ARGS]  ... then run pytest (ARGS go
#                                                                        to pytest), ruff and mypy
#   powershell -ExecutionPolicy Bypass -File .\assistant.ps1 ARGS...      anything else goes to the
#                                                                        assistant command, e.g.
#                                                                        classify --findings f.json
#
# What it installs, only when missing (nothing system-wide, no administrator rights):
#   - uv: the one on PATH, else a private copy in .tools\ (python -m venv + pip install uv);
#   - the project's environment .venv, exactly as uv.lock says (uv sync --frozen).
# It needs Python >= 3.11 (the py launcher from python.org: `py -3`, or python on PATH). Speech
# output uses Windows' own voices (SAPI5) and sounddevice brings PortAudio, so there are no
# system packages to install. Works in Windows PowerShell 5.1 and PowerShell 7.

$ErrorActionPreference = 'Continue'  # native tools report through their exit codes, checked below

# The current folder stays where it is, so relative paths (--findings f.json) mean what they say;
# uv finds the project with --project.
$Root = $PSScriptRoot
$Tools = Join-Path $Root '.tools'
Remove-Item Env:VIRTUAL_ENV -ErrorAction SilentlyContinue  # .venv is the project's environment
$env:PIP_DISABLE_PIP_VERSION_CHECK = '1'

function Say([string]$Message) {
    [Console]::Error.WriteLine("assistant.ps1: $Message")
}

function Fail([int]$Code, [string]$Message) {
    Say "fout: $Message"
    exit $Code
}

# PowerShell reads an unquoted 6,4,5 as an array; give the assistant the text "6,4,5" back.
$CliArgs = @(foreach ($arg in $args) {
    if ($arg -is [array]) { ($arg | ForEach-Object { "$_" }) -join ',' } else { "$arg" }
})

# --- Python >= 3.11 ---------------------------------------------------------------------------
function Find-Python([string]$Exe, [string[]]$Options) {
    if (-not (Get-Command $Exe -CommandType Application -ErrorAction SilentlyContinue)) {
        return $null
    }
    # No double quotes inside: Windows PowerShell 5.1 passes them to native programs unescaped.
    $check = 'import sys; print(sys.executable if sys.version_info >= (3, 11) else str())'
    $found = & $Exe @Options -c $check 2>$null
    if ($LASTEXITCODE -ne 0 -or -not $found) { return $null }
    return "$(@($found)[-1])".Trim()
}

$Py = Find-Python 'py' @('-3')
if (-not $Py) { $Py = Find-Python 'python' @() }
if (-not $Py) {
    Fail 2 ("Python >= 3.11 niet gevonden (geprobeerd: 'py -3' en 'python'). Installeer het van " +
            "https://www.python.org/downloads/windows/ (met de py launcher) of met " +
            "'winget install Python.Python.3.12', en start dit opnieuw")
}
$env:UV_PYTHON = $Py

# --- uv: on PATH, or bootstrapped into .tools\ ------------------------------------------------
$Uv = $null
$onPath = Get-Command uv -CommandType Application -ErrorAction SilentlyContinue |
    Select-Object -First 1
if ($onPath) {
    $Uv = $onPath.Path
} else {
    $localUv = Join-Path $Tools 'Scripts\uv.exe'
    if (Test-Path -LiteralPath $localUv) {
        & $localUv --version *> $null
        if ($LASTEXITCODE -eq 0) { $Uv = $localUv }
    }
}
if (-not $Uv) {
    Say 'uv installeren in .tools\ (eenmalig)'
    & $Py -m venv --clear $Tools
    $ok = $LASTEXITCODE -eq 0
    if ($ok) {
        & (Join-Path $Tools 'Scripts\python.exe') -m pip install -q uv
        $ok = $LASTEXITCODE -eq 0
    }
    if (-not $ok) {
        Remove-Item -LiteralPath $Tools -Recurse -Force -ErrorAction SilentlyContinue
        Fail 2 ("kon uv niet installeren in .tools\ (zie de meldingen hierboven); installeer uv zelf " +
                "(https://docs.astral.sh/uv/getting-started/installation/) en start dit opnieuw")
    }
    $Uv = Join-Path $Tools 'Scripts\uv.exe'
}

# --- the project's environment ----------------------------------------------------------------
# Trust Windows' certificate store (a corporate proxy's root CA lives there); on its own uv trusts
# only its bundled roots. Newer uv spells the switch UV_SYSTEM_CERTS.
if (-not ($env:UV_NATIVE_TLS -or $env:UV_SYSTEM_CERTS -or $env:SSL_CERT_FILE)) {
    $uvHelp = (& $Uv sync --help 2>$null) -join "`n"
    if ($uvHelp -match 'UV_SYSTEM_CERTS') { $env:UV_SYSTEM_CERTS = '1' } else { $env:UV_NATIVE_TLS = '1' }
}
if (-not (Test-Path -LiteralPath (Join-Path $Root '.venv'))) {
    Say '.venv maken volgens uv.lock (uv sync --frozen)'
}
& $Uv sync --frozen --quiet --project $Root
if ($LASTEXITCODE -ne 0) { Fail 2 'uv sync --frozen is mislukt (zie de meldingen hierboven)' }

# --- run --------------------------------------------------------------------------------------
if ($CliArgs.Count -gt 0 -and $CliArgs[0] -eq 'test') {
    $rest = @($CliArgs | Select-Object -Skip 1)
    $failed = @()
    $checks = @(
        @{ Name = 'pytest'; Command = @('pytest', '-q') + $rest },
        @{ Name = 'ruff'; Command = @('ruff', 'check', '.') },
        @{ Name = 'mypy'; Command = @('mypy') }
    )
    Push-Location -LiteralPath $Root  # the tests, ruff and mypy run in the clone
    foreach ($check in $checks) {
        Say "bezig met $($check.Name)"
        $command = $check.Command
        & $Uv run --frozen --project $Root @command
        $rc = $LASTEXITCODE
        if ($check.Name -eq 'pytest' -and $rc -eq 5) {
            Say 'pytest vond geen tests; er horen tests te zijn'
        }
        if ($rc -eq 0) {
            Say "$($check.Name): goed"
        } else {
            Say "$($check.Name): MISLUKT (exitcode $rc)"
            $failed += $check.Name
        }
    }
    Pop-Location
    if ($failed.Count -gt 0) {
        Say "mislukte controles: $($failed -join ' ')"
        exit 1
    }
    Say 'alle controles geslaagd (pytest, ruff, mypy)'
    exit 0
}

if ($CliArgs.Count -eq 0) { $CliArgs = @('intake') }
# The commands the assistant's messages suggest ("ga verder met '…'") name this script.
if (-not $env:ASSISTANT_COMMAND) { $env:ASSISTANT_COMMAND = ".\assistant.ps1" }
& $Uv run --frozen --project $Root assistant @CliArgs
exit $LASTEXITCODE
